"""Pending exchanges tracked from webhooks: in on a waiting state, out on any other."""

import pytest

from wallet.index.pending import PendingExchanges

PROOF, CRED = "present_proof_v2_0", "issue_credential_v2_0"


def record(exchange_id, state, at, id_field="pres_ex_id"):
    """Return a webhook payload for an exchange."""
    return {id_field: exchange_id, "state": state, "updated_at": at, "connection_id": "c1"}


@pytest.mark.parametrize(
    ("events", "waiting"),
    [
        ([("a", "request-received", "1")], ["a"]),
        ([("a", "request-received", "1"), ("a", "presentation-sent", "2")], []),
        ([("a", "request-received", "1"), ("a", "abandoned", "2")], []),
        # out of order: the older event arriving late changes nothing
        ([("a", "presentation-sent", "2"), ("a", "request-received", "1")], []),
        ([("b", "request-received", "2"), ("a", "request-received", "1")], ["a", "b"]),
    ],
)
def test_requests_enter_and_leave_by_state(events, waiting):
    pending = PendingExchanges()
    for exchange_id, state, at in events:
        pending.apply(PROOF, record(exchange_id, state, at))
    assert pending.ids(PROOF) == waiting


def test_offers_are_tracked_apart_from_requests():
    pending = PendingExchanges()
    pending.apply(CRED, record("o1", "offer-received", "1", id_field="cred_ex_id"))
    pending.apply(PROOF, record("r1", "request-received", "1"))
    assert pending.ids(CRED) == ["o1"] and pending.ids(PROOF) == ["r1"]
    assert pending.waiting(CRED)[0].connection_id == "c1"


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("connections", {"connection_id": "c1", "state": "active"}),
        (PROOF, {"state": "request-received"}),  # no id: nothing to track
    ],
)
def test_other_events_are_ignored(topic, payload):
    pending = PendingExchanges()
    assert pending.apply(topic, payload) is False
    assert pending.ids(PROOF) == []


def test_reset_replaces_what_was_known():
    pending = PendingExchanges()
    pending.apply(PROOF, record("old", "request-received", "5"))
    pending.reset(
        PROOF, [record("old", "presentation-sent", "4"), record("n", "request-received", "1")]
    )
    assert pending.ids(PROOF) == ["n"]  # the listing is the truth, even if older


def test_hub_events_are_folded_in():
    pending = PendingExchanges()
    event = type("Event", (), {"topic": PROOF, "payload": record("a", "request-received", "1")})
    pending.on_event(event)
    assert pending.ids(PROOF) == ["a"]


def test_a_relisting_keeps_requests_that_arrive_while_it_lists():
    pending = PendingExchanges()

    def listing():  # the agent answers with what it held when the listing began
        pending.apply(PROOF, record("new", "request-received", "3"))
        pending.apply(PROOF, record("old", "presentation-sent", "4"))
        return [record("old", "request-received", "2")]

    pending.relist(PROOF, listing)
    assert pending.ids(PROOF) == ["new"]


def test_a_failed_relisting_leaves_what_was_known():
    pending = PendingExchanges()
    pending.apply(PROOF, record("a", "request-received", "1"))

    def listing():
        raise RuntimeError("agent down")

    with pytest.raises(RuntimeError):
        pending.relist(PROOF, listing)
    pending.apply(PROOF, record("b", "request-received", "2"))
    assert pending.ids(PROOF) == ["a", "b"]


def test_forget_empties_every_topic():
    pending = PendingExchanges()
    pending.apply(PROOF, record("a", "request-received", "1"))
    pending.apply(CRED, record("o", "offer-received", "1", id_field="cred_ex_id"))
    pending.forget()
    assert pending.ids(PROOF) == [] and pending.ids(CRED) == []
    pending.apply(PROOF, record("a", "request-received", "0"))  # nothing older is known now
    assert pending.ids(PROOF) == ["a"]
