"""Entries of acts under way: held sealed before the act, written once after it."""

import datetime

import pytest

from wallet.history import HistoryLog
from wallet.history.log import HistoryError
from wallet.history.pending import FILE

N = 2**10
WHEN = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=datetime.UTC)


def open_log(tmp_path, passphrase="right passphrase"):
    return HistoryLog(tmp_path, passphrase, clock=lambda: WHEN, scrypt_n=N)


def test_an_entry_held_before_a_stop_is_written_by_the_next_opening_once(tmp_path):
    log = open_log(tmp_path)
    entry = log.entry("sent", "Bank", revealed=["nationality"])
    log.pending.hold("pres-1", entry)
    again = open_log(tmp_path)  # the wallet was killed after the act: opened again
    assert again.pending.keys() == ["pres-1"] and again.entries() == []
    assert again.pending.settle("pres-1", happened=True) == entry
    assert again.pending.settle("pres-1", happened=True) is None
    assert open_log(tmp_path).entries() == [entry]
    assert not (tmp_path / FILE).exists()


def test_an_entry_whose_act_did_not_happen_is_dropped(tmp_path):
    log = open_log(tmp_path)
    log.pending.hold("pres-1", log.entry("sent", "Bank"))
    assert log.pending.settle("pres-1", happened=False) is None
    assert log.entries() == [] and log.pending.keys() == []


def test_settling_after_a_stop_between_the_write_and_the_forgetting_writes_once(tmp_path):
    log = open_log(tmp_path)
    entry = log.entry("sent", "Bank")
    log.pending.hold("pres-1", entry)
    log.add([entry])  # written, then the wallet stopped before forgetting it
    log.pending.settle("pres-1", happened=True)
    assert open_log(tmp_path).entries() == [entry]


def test_held_entries_are_sealed_and_refused_under_another_passphrase(tmp_path):
    log = open_log(tmp_path)
    log.pending.hold("pres-1", log.entry("sent", "Bank", revealed=["nationality"]))
    data = (tmp_path / FILE).read_bytes()
    assert b"nationality" not in data and b"Bank" not in data
    with pytest.raises(HistoryError):
        open_log(tmp_path, "another passphrase").pending.keys()
