"""Scheduled backups with a passed-in clock, and the `backup` command group."""

import datetime

import pytest
from click.testing import CliRunner

from wallet.backup import backups_in, rotate, scheduled_backup
from wallet.backup.cli import backup
from wallet.backup.contents import store_file
from wallet.errors import InputError

from .conftest import FAST, PASSPHRASE, read_store

T0 = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_rotation_keeps_newest_by_name(tmp_path):
    names = [f"tessera-backup-2025030{d}T090000Z.tessera" for d in range(1, 6)]
    for name in [*names, "notes.txt", "tessera-backup-garbage.tessera"]:
        (tmp_path / name).write_text("x")
    removed = rotate(tmp_path, 2)
    assert [p.name for p in removed] == names[:3]
    assert [p.name for _, p in backups_in(tmp_path)] == names[3:]
    assert (tmp_path / "notes.txt").exists()


def test_scheduled_backup_skips_until_due_and_keeps_last_n(holder_home, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    clock = Clock(T0)
    day = datetime.timedelta(days=1)
    made = []
    for hours in (0, 1, 24, 48, 49, 72):
        clock.now = T0 + datetime.timedelta(hours=hours)
        info = scheduled_backup(
            holder_home, folder, PASSPHRASE, keep=2, every=day, now=clock, **FAST
        )
        made.append(info is not None)
    assert made == [True, False, True, True, False, True]
    assert [p.name for _, p in backups_in(folder)] == [
        "tessera-backup-20250303T090000Z.tessera",
        "tessera-backup-20250304T090000Z.tessera",
    ]


@pytest.mark.parametrize("keep,folder", [(0, "ok"), (-1, "ok"), (2, "missing")])
def test_scheduled_backup_refuses_bad_settings(keep, folder, holder_home, tmp_path):
    (tmp_path / "ok").mkdir()
    with pytest.raises(InputError):
        scheduled_backup(holder_home, tmp_path / folder, PASSPHRASE, keep=keep, **FAST)


def test_cli_create_then_restore_on_new_machine(holder_home, empty_home, tmp_path, monkeypatch):
    monkeypatch.setenv("TESSERA_PORT_OFFSET", str(empty_home.port_offset))
    out = tmp_path / "wallet.tessera"
    runner = CliRunner()
    made = runner.invoke(
        backup,
        ["create", str(out), "--home", str(holder_home.home)],
        input=f"{PASSPHRASE}\n{PASSPHRASE}\n",
    )
    assert made.exit_code == 0, made.output
    assert "Backup written" in made.output
    again = runner.invoke(
        backup, ["restore", str(out), "--home", str(empty_home.home)], input="wrong one\n"
    )
    assert again.exit_code == 2
    assert "backup passphrase does not open" in again.output
    (tmp_path / "pass").write_text(PASSPHRASE + "\n")
    done = runner.invoke(
        backup,
        [
            "restore",
            str(out),
            "--home",
            str(empty_home.home),
            "--passphrase-file",
            str(tmp_path / "pass"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert read_store(store_file(empty_home)) == read_store(store_file(holder_home))
    refused = runner.invoke(
        backup,
        [
            "restore",
            str(out),
            "--home",
            str(empty_home.home),
            "--passphrase-file",
            str(tmp_path / "pass"),
        ],
    )
    assert refused.exit_code == 2 and "--replace" in refused.output
