"""The disclosure history: append-only, sealed under the passphrase, tamper-evident."""

import datetime

import pytest

from wallet.errors import InputError
from wallet.history import HistoryLog
from wallet.history.log import HistoryError

N = 2**10
WHEN = datetime.datetime(2026, 11, 29, 9, 30, tzinfo=datetime.UTC)


def open_log(tmp_path, passphrase="right passphrase"):
    return HistoryLog(tmp_path, passphrase, clock=lambda: WHEN, scrypt_n=N)


def test_entries_come_back_in_order_with_the_clocks_time(tmp_path):
    log = open_log(tmp_path)
    log.append(
        "sent",
        "Bank",
        revealed=["nationality"],
        predicates=["age >= 18"],
        credentials=["National identity (c1)"],
    )
    log.append("declined", "Shop", reason="no")
    entries = open_log(tmp_path).entries()
    assert [e.action for e in entries] == ["sent", "declined"]
    assert entries[0].when == "2026-11-29T09:30:00+00:00"
    assert entries[0].revealed == ["nationality"]
    assert entries[1].reason == "no"


def test_nothing_readable_or_the_passphrase_is_stored(tmp_path):
    open_log(tmp_path, "secret words here").append("sent", "Bank", revealed=["nationality"])
    for path in tmp_path.rglob("*"):
        data = path.read_bytes()
        assert b"nationality" not in data and b"Bank" not in data
        assert b"secret words here" not in data
    assert oct((tmp_path / "history.log").stat().st_mode & 0o777) == "0o600"


def test_wrong_passphrase_cannot_read_or_append(tmp_path):
    open_log(tmp_path).append("sent", "Bank")
    other = open_log(tmp_path, "wrong passphrase")
    with pytest.raises(HistoryError, match="passphrase is wrong"):
        other.entries()
    with pytest.raises(HistoryError):
        other.append("sent", "Bank")
    assert len(open_log(tmp_path).entries()) == 1


@pytest.mark.parametrize("damage", ["drop_first", "swap", "edit"])
def test_removed_reordered_or_edited_lines_are_detected(tmp_path, damage):
    log = open_log(tmp_path)
    for to in ("A", "B", "C"):
        log.append("sent", to)
    lines = log.path.read_text().splitlines()
    if damage == "drop_first":
        lines = lines[1:]
    elif damage == "swap":
        lines[0], lines[1] = lines[1], lines[0]
    else:
        lines[1] = lines[1].replace('"c": "', '"c": "AAAA')
    log.path.write_text("\n".join(lines) + "\n")
    with pytest.raises(HistoryError):
        log.entries()


def test_unknown_action_is_refused(tmp_path):
    with pytest.raises(InputError):
        open_log(tmp_path).append("leaked", "Bank")


class CountingAead:
    """Wraps AESGCM to count how many lines are opened."""

    def __init__(self, inner):
        self.inner = inner
        self.opened = 0

    def encrypt(self, *args):
        return self.inner.encrypt(*args)

    def decrypt(self, *args):
        self.opened += 1
        return self.inner.decrypt(*args)


def test_appending_to_an_unchanged_log_opens_no_old_line(tmp_path):
    log = open_log(tmp_path)
    for i in range(50):
        log.append("sent", f"Firm {i}")
    counting = log._aead = CountingAead(log._aead)
    for i in range(50):
        log.append("sent", f"Firm {50 + i}")
    assert counting.opened == 0  # was: every append opened every earlier line
    assert len(log.entries()) == 100 and counting.opened == 0
    # A fresh reader still checks every line of the chain.
    assert [e.to for e in open_log(tmp_path).entries()][-2:] == ["Firm 98", "Firm 99"]


def test_appends_from_several_threads_keep_one_valid_chain(tmp_path):
    import threading

    log = open_log(tmp_path)
    threads = [
        threading.Thread(target=lambda n=n: [log.append("sent", f"T{n}") for _ in range(10)])
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(open_log(tmp_path).entries()) == 40


def test_a_batch_extends_the_same_chain_as_single_appends(tmp_path):
    log = open_log(tmp_path)
    log.append("sent", "Bank", revealed=["nationality"])
    made = log.extend([("sent", f"Firm {i}", {"predicates": ["age >= 18"]}) for i in range(3)])
    log.append("declined", "Shop", reason="no")
    assert [e.to for e in made] == ["Firm 0", "Firm 1", "Firm 2"]
    reread = open_log(tmp_path).entries()  # a fresh reader checks every link of the chain
    assert [e.to for e in reread] == ["Bank", "Firm 0", "Firm 1", "Firm 2", "Shop"]


def test_a_batch_is_refused_on_an_altered_log(tmp_path):
    log = open_log(tmp_path)
    log.extend([("sent", "Bank", {}), ("sent", "Shop", {})])
    path = tmp_path / "history.log"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[1], lines[0]]) + "\n")  # swapped: the chain breaks
    with pytest.raises(HistoryError):
        open_log(tmp_path).extend([("sent", "Firm", {})])
