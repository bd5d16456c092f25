"""Receipts owed: which sent presentations still need their receipt (agent answers faked)."""

from types import SimpleNamespace

import pytest

from wallet.holder import receipts_owed


def offer(connection_id, thread_id, status="accepted"):
    """Return a received terms offer for a proof request's thread."""
    return {
        "kind": "offer",
        "direction": "received",
        "status": status,
        "connection_id": connection_id,
        "body": {"request_thread_id": thread_id},
    }


def receipt_sent(thread_id):
    """Return a sent receipt message for a proof request's thread."""
    return {
        "kind": "receipt",
        "direction": "sent",
        "status": "accepted",
        "connection_id": "c1",
        "body": {"receipt": {"proof_thread_id": thread_id}},
    }


def exchange(thread_id, state="presentation-sent", connection_id="c1"):
    """Return a prover's exchange record (the fields `owed` reads)."""
    return SimpleNamespace(
        pres_ex_id=f"px-{thread_id}", thread_id=thread_id, state=state, connection_id=connection_id
    )


@pytest.mark.parametrize(
    ("messages", "records", "owed"),
    [
        ([offer("c1", "t1")], [exchange("t1")], ["t1"]),
        ([offer("c1", "t1")], [exchange("t1", state="done")], ["t1"]),
        ([offer("c1", "t1"), receipt_sent("t1")], [exchange("t1")], []),
        ([offer("c1", "t1")], [exchange("t1", state="request-received")], []),
        ([offer("c1", "t1")], [exchange("t1", state="abandoned")], []),
        ([offer("c1", "t1", status="rejected")], [exchange("t1")], []),
        ([offer("c2", "t1")], [exchange("t1")], []),
        ([], [exchange("t1")], []),
        ([offer("c1", "t1"), offer("c1", "t2")], [exchange("t1"), exchange("t2")], ["t1", "t2"]),
    ],
)
def test_only_presentations_sent_under_offered_terms_without_a_receipt_are_owed(
    monkeypatch, messages, records, owed
):
    monkeypatch.setattr(receipts_owed.receipt_book, "terms_messages", lambda agent: messages)
    monkeypatch.setattr(receipts_owed.present, "records", lambda agent, role: records)
    assert [r.thread_id for r in receipts_owed.owed(object())] == owed


def test_a_locked_wallet_sweeps_nothing():
    service = SimpleNamespace(agent=None, data_dir="unused", wall_clock=None)
    assert receipts_owed.OwedReceipts(service, interval=None).sweep() == []
