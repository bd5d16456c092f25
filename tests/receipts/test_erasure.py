"""Erasure bookkeeping: due receipts, acknowledged and overdue requests (clock passed in)."""

import datetime

from tests.receipts.samples import NOW, countersigned
from wallet.receipts.erasure import due, retention_end, status


def at(days):
    return NOW + datetime.timedelta(days=days)


def request(receipt_id, when):
    return {
        "kind": "erasure-request",
        "direction": "sent",
        "status": "accepted",
        "connection_id": "c1",
        "receipt_id": receipt_id,
        "body": {"receipt_id": receipt_id, "requested_at": when.isoformat()},
    }


def ack(receipt_id, status_="accepted"):
    return {
        "kind": "erasure-ack",
        "direction": "received",
        "status": status_,
        "connection_id": "c1",
        "receipt_id": receipt_id,
        "body": {"receipt_id": receipt_id, "acknowledged_at": at(31).isoformat()},
    }


def test_receipt_is_due_when_retention_ends():
    receipt = countersigned()
    assert retention_end(receipt) == at(30)
    assert due([receipt], set(), at(29)) == []
    assert due([receipt], set(), at(30)) == [receipt]
    assert due([receipt], {receipt["receipt_id"]}, at(31)) == []


def test_acknowledged_and_overdue():
    messages = [request("a", at(30)), request("b", at(30)), ack("a"), ack("b", "rejected")]
    states = {s.receipt_id: s for s in status(messages, at(45))}
    assert states["a"].acknowledged_at and not states["a"].overdue
    assert not states["b"].acknowledged_at and not states["b"].overdue
    late = {s.receipt_id: s for s in status(messages, at(61))}
    assert late["b"].overdue and not late["a"].overdue


def test_an_ack_without_a_request_lists_nothing():
    assert status([ack("ghost")], at(100)) == []
