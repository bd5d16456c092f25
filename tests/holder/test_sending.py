"""A presentation and its history entry: a wallet killed between them settles it at unlock."""

import datetime

import pytest

from wallet.errors import AgentError
from wallet.history import HistoryLog
from wallet.holder import sending

WHEN = datetime.datetime(2026, 12, 2, 9, 30, tzinfo=datetime.UTC)
RECORDS = "/present-proof-2.0/records/"


class Admin:
    """The holder agent's exchange records by id (404 for others)."""

    def __init__(self, records):
        self.records = records

    def get(self, path):
        pres_ex_id = path.removeprefix(RECORDS)
        if pres_ex_id not in self.records:
            raise AgentError("GET", path, 404, "not found")
        return self.records[pres_ex_id]


class Holder:
    def __init__(self, records):
        self.admin = Admin(records)


def history(tmp_path):
    return HistoryLog(tmp_path, "right passphrase", clock=lambda: WHEN, scrypt_n=2**10)


def killed_after_sending(tmp_path, pres_ex_id="pres-1"):
    """A wallet that held the entry and was killed while (or after) the agent sent."""
    log = history(tmp_path)
    log.pending.hold(pres_ex_id, log.entry("sent", "Bank", revealed=["nationality"]))
    return history(tmp_path)  # the next unlock opens the history again


@pytest.mark.parametrize(
    ("record", "written"),
    [
        ({"state": "presentation-sent", "by_format": {"pres": {"anoncreds": {}}}}, 1),
        ({"state": "done"}, 1),
        ({"state": "abandoned", "by_format": {"pres": {"anoncreds": {}}}}, 1),
        ({"state": "request-received", "by_format": {"pres_request": {}}}, 0),
        (None, 1),  # removed once done
    ],
)
def test_unlock_writes_the_entry_of_a_presentation_that_left_once(tmp_path, record, written):
    log = killed_after_sending(tmp_path)
    holder = Holder({} if record is None else {"pres-1": record})
    sending.settle(log, holder)
    sending.settle(log, holder)
    assert [e.revealed for e in history(tmp_path).entries()] == [["nationality"]] * written
    assert log.pending.keys() == []


def test_an_entry_the_agent_cannot_tell_about_stays_held(tmp_path):
    log = killed_after_sending(tmp_path)

    class Down:
        def get(self, path):
            raise AgentError("GET", path, None, "connection refused")

    holder = Holder({})
    holder.admin = Down()
    sending.settle(log, holder)
    assert log.entries() == [] and log.pending.keys() == ["pres-1"]


def test_a_send_that_fails_before_anything_left_writes_nothing(tmp_path):
    log = history(tmp_path)
    holder = Holder({"pres-1": {"state": "request-received"}})

    def send():
        raise AgentError("POST", "send-presentation", 400, "no such credential")

    with pytest.raises(AgentError):
        sending.send_logged(log, holder, "pres-1", log.entry("sent", "Bank"), send)
    assert log.entries() == [] and log.pending.keys() == []


def test_a_send_writes_its_entry_once(tmp_path):
    log = history(tmp_path)
    entry = log.entry("sent", "Bank")
    assert sending.send_logged(log, Holder({}), "pres-1", entry, lambda: "sent") == "sent"
    assert log.entries() == [entry] and log.pending.keys() == []
