"""Erasure bookkeeping: due receipts, acknowledged and overdue requests (clock passed in)."""

import datetime

import pytest

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


def problem(refers_to, not_supported=True, explain=""):
    return {
        "kind": "problem-report",
        "direction": "received",
        "status": "accepted",
        "connection_id": "c1",
        "receipt_id": "",
        "body": {"refers_to": refers_to, "not_supported": not_supported, "explain": explain},
    }


@pytest.mark.parametrize(
    ("report", "refused", "overdue"),
    [
        (None, "", True),
        (problem("m-a"), "the firm's agent does not use Tessera terms", False),
        (problem("m-a", False, "busy"), "busy", False),
        (problem("m-a", False), "no reason given", False),
        (problem("someone-else"), "", True),
    ],
)
def test_a_refused_request_says_why_and_is_not_overdue(report, refused, overdue):
    asked = {**request("a", at(30)), "message_id": "m-a"}
    messages = [asked] + ([report] if report else [])
    (state,) = status(messages, at(61))
    assert (state.refused, state.overdue) == (refused, overdue)
