"""Backups in the wallet app: download now, restore on first run, automatic backups, idle lock."""

import datetime
import io
import re
import threading
import time

import pytest

from wallet.backup import create_backup, restore_backup
from wallet.backup.container import MAGIC
from wallet.backup.contents import store_file
from wallet.backup.schedule import backups_in
from wallet.consent.policy import Policy
from wallet.history import HistoryLog
from wallet.holder.autobackup import SCHEDULE_FILE
from wallet.holder.backoff import Backoff
from wallet.holder.rules import RulesFile
from wallet.holder.service import HolderService
from wallet.holder.timer import Timer
from wallet.settings import Settings
from wallet.web import create_app

from .backup_helpers import (
    BACKUP_PASSPHRASE,
    FAST,
    WallClock,
    files_containing,
    holder_offset,
    provision_store,
    read_store,
    tree_digest,
)
from .conftest import PASSPHRASE
from .fake_agent import FakeRunner

ITEMS = {"cred-1": "national id", "cred-2": "income"}


@pytest.fixture
def wall():
    """The service's wall clock."""
    return WallClock()


@pytest.fixture
def settings(tmp_path):
    """The wallet's data directory, with holder ports no agent uses."""
    return Settings(home=tmp_path / "home", port_offset=holder_offset())


@pytest.fixture
def service(settings, fake, clock, wall):
    """A `HolderService` over the fake agent; no timer thread (tests call `tick()`)."""
    holder = HolderService.for_settings(
        settings,
        runner=FakeRunner(fake),
        clock=clock,
        wall_clock=wall,
        idle_timeout=600,
        backoff=Backoff(clock=clock),
        scrypt_n=2**10,
        revocation_interval=None,
        timer_interval=None,
        backup_options=FAST,
    )
    yield holder
    holder.lock()


@pytest.fixture
def app(settings, service, wall):
    """The wallet app over the fake service."""
    config = {"SETTINGS": settings, "SECRET_KEY": "test-only", "HOLDER_SERVICE": service}
    return create_app(config | {"WALL_CLOCK": wall, "IDLE_TIMEOUT": 600})


@pytest.fixture
def with_store(unlocked, settings):
    """An unlocked wallet whose agent store (real Askar) holds two entries."""
    provision_store(settings, PASSPHRASE, ITEMS)
    return unlocked


@pytest.fixture(scope="module")
def old_wallet(tmp_path_factory):
    """A wallet on an 'old machine' and one backup of it: (settings, backup bytes)."""
    settings = Settings(home=tmp_path_factory.mktemp("old"), port_offset=holder_offset())
    provision_store(settings, PASSPHRASE, ITEMS)
    data = settings.role_dir("holder") / "tessera"
    log = HistoryLog(data / "history", PASSPHRASE, scrypt_n=2**10)
    log.append("sent", "Acme Bank", request_name="Age check", revealed=["nationality"])
    RulesFile(data).save(Policy().set_attribute("nationality", "allow"))
    (data / "wallet.json").write_text('{"created": "2026-01-01T00:00:00+00:00"}\n')
    (settings.role_dir("holder") / "inbox-id").write_text("OldMachineInboxId0123456\n")
    out = tmp_path_factory.mktemp("file") / "wallet.tessera"
    create_backup(settings, out, BACKUP_PASSPHRASE, wallet_key=PASSPHRASE, **FAST)
    return settings, out.read_bytes()


def _upload(person, data, passphrase=BACKUP_PASSPHRASE, name="my wallet.tessera"):
    files = {"backup": (io.BytesIO(data), name)} if data is not None else {}
    return person.post(
        "/setup/restore",
        {"backup_passphrase": passphrase, **files},
        form_page="/setup",
        content_type="multipart/form-data",
    )


def _text(response):
    return response.get_data(as_text=True)


# Back up now


def test_backup_now_streams_an_encrypted_file_that_restores_everything(
    with_store, client, settings, service, tmp_path
):
    RulesFile(service.data_dir).save(Policy().set_attribute("nationality", "never"))
    service.history.append("sent", "Acme Bank", request_name="Age check", revealed=["nationality"])
    response = with_store.post(
        "/backup/download",
        {
            "wallet_passphrase": PASSPHRASE,
            "backup_passphrase": BACKUP_PASSPHRASE,
            "confirm": BACKUP_PASSPHRASE,
        },
        form_page="/backup/",
    )
    assert response.status_code == 200, _text(response)
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=tessera-backup-20261129T120000Z.tessera"
    data = response.get_data()
    response.close()  # the server closes the streamed file after sending it
    assert data.startswith(MAGIC) and int(response.headers["Content-Length"]) == len(data)
    assert not list(settings.home.glob(".tmp-export-*")), "no copy stays on disk"
    assert not files_containing(settings.home, BACKUP_PASSPHRASE)

    source = tmp_path / "downloaded.tessera"
    source.write_bytes(data)
    elsewhere = Settings(home=tmp_path / "new", port_offset=settings.port_offset)
    restore_backup(elsewhere, source, BACKUP_PASSPHRASE)
    assert read_store(elsewhere, PASSPHRASE) == ITEMS
    data_dir = elsewhere.role_dir("holder") / "tessera"
    assert RulesFile(data_dir).load().attributes["nationality"] == "never"
    restored = HistoryLog(data_dir / "history", PASSPHRASE, scrypt_n=2**10).entries()
    assert restored == service.history.entries()


BAD_EXPORTS = [
    ("backup passphrases differ", PASSPHRASE, BACKUP_PASSPHRASE, "something else", "differ"),
    ("backup passphrase too short", PASSPHRASE, "short", None, "at least 8 characters"),
    ("no wallet passphrase", "", BACKUP_PASSPHRASE, None, "Type your wallet passphrase"),
]


@pytest.mark.parametrize(
    "wallet_key,passphrase,confirm,says",
    [b[1:] for b in BAD_EXPORTS],
    ids=[b[0] for b in BAD_EXPORTS],
)
def test_backup_now_refuses_bad_input_and_writes_nothing(
    unlocked, settings, wallet_key, passphrase, confirm, says
):
    form = {"wallet_passphrase": wallet_key, "backup_passphrase": passphrase}
    form["confirm"] = passphrase if confirm is None else confirm
    response = unlocked.post("/backup/download", form, form_page="/backup/")
    assert response.status_code == 400
    assert says in _text(response) and "Content-Disposition" not in response.headers
    assert not list(settings.home.glob(".tmp-export-*"))
    assert not list(settings.home.rglob("*.tessera"))


def test_wrong_wallet_passphrase_on_backup_is_refused_and_slowed_down(with_store, settings):
    form = {"wallet_passphrase": "nope nope", "backup_passphrase": BACKUP_PASSPHRASE}
    form["confirm"] = BACKUP_PASSPHRASE
    for _ in range(3):
        response = with_store.post("/backup/download", form, form_page="/backup/")
        assert response.status_code == 400 and "wallet passphrase is wrong" in _text(response)
        assert "Content-Disposition" not in response.headers
    assert not list(settings.home.glob(".tmp-export-*"))
    response = with_store.post("/backup/download", form, form_page="/backup/")
    assert response.status_code == 429 and "wait" in _text(response)


def test_backup_pages_need_an_unlocked_wallet(person, client):
    assert client.get("/backup/").headers["Location"].endswith("/setup")


def test_settings_page_links_to_backups(unlocked, client):
    assert 'href="/backup/"' in _text(client.get("/settings/"))


# Restore on first run


def test_first_run_restore_brings_the_wallet_back_then_unlocks_with_the_old_passphrase(
    person, client, service, settings, old_wallet
):
    data = old_wallet[1]
    page = _text(client.get("/setup"))
    assert 'id="restore-form"' in page and 'enctype="multipart/form-data"' in page
    response = _upload(person, data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/unlock")
    assert not service.first_run and not service.unlocked
    page = _text(client.get("/unlock"))
    assert "Your wallet was restored from “my wallet.tessera”" in page
    assert "wallet passphrase it had then" in page

    assert person.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
    assert service.unlocked
    assert read_store(settings, PASSPHRASE) == ITEMS
    assert [e.to for e in service.history.entries()] == ["Acme Bank"]
    assert RulesFile(service.data_dir).load().attributes["nationality"] == "allow"
    assert service.inbox.person_id == "OldMachineInboxId0123456"
    assert not list(settings.home.glob(".tmp-upload-*"))


def _newer(data):
    return data[: len(MAGIC)] + (2).to_bytes(2, "big") + data[len(MAGIC) + 2 :]


BAD_RESTORES = [
    (
        "wrong passphrase",
        lambda d: d,
        "not the backup passphrase",
        "The backup passphrase does not open “my wallet.tessera”",
    ),
    ("truncated", lambda d: d[: len(d) // 2], BACKUP_PASSPHRASE, "truncated or was altered"),
    (
        "altered",
        lambda d: d[:-40] + bytes([d[-40] ^ 1]) + d[-39:],
        BACKUP_PASSPHRASE,
        "truncated or was altered",
    ),
    (
        "not a backup",
        lambda d: b"PK\x03\x04" + d[4:],
        BACKUP_PASSPHRASE,
        "is not a Tessera backup file",
    ),
    ("newer format", _newer, BACKUP_PASSPHRASE, "made by a newer Tessera; this one reads"),
    ("no file", lambda d: None, BACKUP_PASSPHRASE, "Choose the backup file"),
]


@pytest.mark.parametrize(
    "damage,passphrase,says", [b[1:] for b in BAD_RESTORES], ids=[b[0] for b in BAD_RESTORES]
)
def test_failed_restore_says_why_and_changes_nothing(
    person, client, service, settings, old_wallet, damage, passphrase, says
):
    client.get("/setup")
    (settings.role_dir("holder")).mkdir(parents=True, exist_ok=True)
    (settings.role_dir("holder") / "inbox-id").write_text("FreshInstallInboxId01234\n")
    before = tree_digest(settings.home)
    response = _upload(person, damage(old_wallet[1]), passphrase)
    assert response.status_code == 400
    page = _text(response)
    assert says in page and 'id="restore-error"' in page
    assert str(settings.home) not in page, "the temporary upload path is not shown"
    assert tree_digest(settings.home) == before
    assert service.first_run and not service.unlocked


def test_restore_is_refused_once_the_wallet_is_set_up(unlocked, client, service, old_wallet):
    unlocked.post("/lock", form_page="/requests/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', _text(client.get("/unlock")))
    response = client.post("/setup/restore", data={"csrf_token": token.group(1)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/unlock")
    assert not service.first_run


# Automatic backups


def _schedule(
    person, folder, keep="2", hours="24", wallet=PASSPHRASE, backup=BACKUP_PASSPHRASE, confirm=None
):
    form = {"folder": str(folder), "keep": keep, "every_hours": hours}
    form |= {"wallet_passphrase": wallet, "backup_passphrase": backup}
    form["confirm"] = backup if confirm is None else confirm
    return person.post("/backup/schedule", form, form_page="/backup/")


def test_automatic_backups_run_when_due_keep_the_newest_and_pause_on_lock(
    with_store, client, service, settings, wall, tmp_path
):
    folder = tmp_path / "usb"
    folder.mkdir()
    response = _schedule(with_store, folder)
    assert response.status_code == 302, _text(response)
    assert 'data-state="on"' in _text(client.get("/backup/"))
    saved = (service.data_dir / SCHEDULE_FILE).read_text()
    assert PASSPHRASE not in saved and BACKUP_PASSPHRASE not in saved
    assert not files_containing(settings.home, BACKUP_PASSPHRASE)

    start, made = wall.now, []
    for hours in (0, 1, 24, 25, 48):
        wall.now = start + datetime.timedelta(hours=hours)
        made.append(service.tick() is not None)
    assert made == [True, False, True, False, True]
    names = [p.name for _, p in backups_in(folder)]
    assert len(names) == 2, names
    restored = Settings(home=tmp_path / "restored", port_offset=settings.port_offset)
    restore_backup(restored, backups_in(folder)[-1][1], BACKUP_PASSPHRASE)
    assert store_file(restored).is_file()

    with_store.post("/lock", form_page="/requests/")
    assert not service.backups.armed
    wall.advance(hours=48)
    assert service.tick() is None
    response = with_store.post("/unlock", {"passphrase": PASSPHRASE}, form_page="/unlock")
    page = _text(client.get(response.headers["Location"], follow_redirects=True))
    assert "Automatic backups are paused" in page
    assert service.tick() is None and len(backups_in(folder)) == 2
    assert 'data-state="paused"' in _text(client.get("/backup/"))

    response = _schedule(with_store, folder, backup="another passphrase entirely")
    assert response.status_code == 400 and "does not open" in _text(response)
    assert _schedule(with_store, folder).status_code == 302
    assert service.tick() is not None

    assert with_store.post("/backup/schedule/off", form_page="/backup/").status_code == 302
    assert not (service.data_dir / SCHEDULE_FILE).exists() and not service.backups.armed
    wall.advance(hours=48)
    assert service.tick() is None
    assert 'data-state="off"' in _text(client.get("/backup/"))


BAD_SCHEDULES = [
    ("folder missing", "missing", {}, "does not exist"),
    ("relative folder", "relative", {}, "full path"),
    ("inside the wallet", "inside", {}, "outside the wallet"),
    ("keep zero", "ok", {"keep": "0"}, "Backups to keep"),
    ("hours not a number", "ok", {"hours": "daily"}, "Hours between backups"),
    ("wrong wallet passphrase", "ok", {"wallet": "not my passphrase"}, "passphrase is wrong"),
    ("backup passphrases differ", "ok", {"confirm": "something else"}, "differ"),
    ("backup passphrase short", "ok", {"backup": "short"}, "at least 8 characters"),
]


@pytest.mark.parametrize(
    "where,change,says", [b[1:] for b in BAD_SCHEDULES], ids=[b[0] for b in BAD_SCHEDULES]
)
def test_bad_schedule_is_refused_and_nothing_is_saved(
    unlocked, service, settings, tmp_path, where, change, says
):
    folders = {
        "ok": tmp_path / "usb",
        "missing": tmp_path / "nowhere",
        "relative": "usb",
        "inside": service.data_dir,
    }
    (tmp_path / "usb").mkdir()
    if "wallet" in change:  # only this case gets as far as opening the store (slow Argon2i)
        provision_store(settings, PASSPHRASE, ITEMS)
    response = _schedule(unlocked, folders[where], **change)
    assert response.status_code == 400
    assert says in _text(response)
    assert not (service.data_dir / SCHEDULE_FILE).exists() and not service.backups.armed


# The housekeeping timer: idle lock


def test_an_idle_wallet_locks_itself_without_any_request(unlocked, service, clock):
    clock.now += 599
    service.tick()
    assert service.unlocked
    clock.now += 2
    service.tick()
    assert not service.unlocked and not service.session.runner.running


def _with_timer(settings, fake, clock, wall, interval):
    """A `HolderService` over the fake agent whose housekeeping timer ticks every `interval` s."""
    return HolderService.for_settings(
        settings,
        runner=FakeRunner(fake),
        clock=clock,
        wall_clock=wall,
        idle_timeout=600,
        scrypt_n=2**10,
        revocation_interval=None,
        timer_interval=interval,
    )


def test_the_timer_thread_locks_an_idle_wallet(settings, fake, clock, wall):
    holder = _with_timer(settings, fake, clock, wall, interval=0.01)
    try:
        holder.setup(PASSPHRASE, PASSPHRASE)
        assert holder.timer.running
        clock.now += 601
        deadline = time.monotonic() + 30
        while (
            holder.unlocked or holder.session.runner.running
        ):  # poll with a deadline, no fixed sleep
            assert time.monotonic() < deadline, "the idle wallet did not lock itself"
            time.sleep(0.01)
        assert not holder.timer.running
    finally:
        holder.lock()


def test_a_wallet_just_unlocked_is_not_idle_to_the_timers_first_tick(settings, fake, clock, wall):
    """The unlock counts as activity before the timer starts: a first tick while unlock
    finishes (held here until several ticks ran) must not find the wallet idle."""
    holder = _with_timer(settings, fake, clock, wall, interval=0.001)
    ticked = threading.Event()
    tick = holder.timer.tick

    def counted():
        tick()
        ticked.set()

    holder.timer.tick = counted
    start_receipts = holder.owed_receipts.start

    def after_a_tick():
        # A tick that found the wallet idle waits for this unlock to end, to lock it.
        assert ticked.wait(10), "no tick finished: the first one found the wallet idle"
        start_receipts()

    holder.owed_receipts.start = after_a_tick
    try:
        holder.setup(PASSPHRASE, PASSPHRASE)
        assert holder.unlocked and holder.timer.running
    finally:
        holder.lock()


def test_timer_ticks_until_stopped_and_survives_a_failing_tick(caplog):
    ticks = threading.Semaphore(0)
    calls = []

    def tick():
        calls.append(1)
        ticks.release()
        if len(calls) == 1:
            raise RuntimeError("boom")

    timer = Timer(0.001, tick)
    timer.start()
    try:
        for _ in range(3):
            assert ticks.acquire(timeout=10)
    finally:
        timer.stop()
    assert not timer.running and "tick failed" in caplog.text
    assert Timer(None, tick).start() is None and not Timer(None, tick).running
