"""What waits for the person: kept from webhooks, read by id, listed again when in doubt."""

import datetime

import pytest

from wallet.agent.handle import Agent
from wallet.agent.webhooks import Event
from wallet.errors import AgentError
from wallet.holder.waiting import MISSING_GRACE, PAGE, Waiting, every

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)
PROOF, CRED = "present_proof_v2_0", "issue_credential_v2_0"
REQUEST = {"requested_attributes": {}, "requested_predicates": {}}


class Admin:
    """An agent's records, with a count of the listings of waiting requests made."""

    def __init__(self):
        """Start with no records."""
        self.proofs, self.offers, self.listings, self._saved = {}, {}, 0, 0

    def save(self, pres_ex_id, state, **more):
        """Save a prover's record as ACA-Py would; return it (the webhook's payload)."""
        self._saved += 1
        record = {
            "pres_ex_id": pres_ex_id,
            "state": state,
            "role": "prover",
            "created_at": f"2026-11-0{len(self.proofs) % 9 + 1}T00:00:00Z",
            "updated_at": f"2026-11-29T00:00:00.{self._saved:06d}Z",
            "by_format": {"pres_request": {"anoncreds": REQUEST}},
            **more,
        }
        self.proofs[pres_ex_id] = record
        return record

    def get(self, path, **params):
        """Answer the listings and the reads by id."""
        if path == "/present-proof-2.0/records":
            self.listings += params.get("state") == "request-received"
            found = self.proofs.values()
            return {"results": [r for r in found if _matches(r, params)]}
        if path == "/issue-credential-2.0/records":
            found = self.offers.values()
            return {"results": [{"cred_ex_record": r} for r in found if _matches(r, params)]}
        kind, exchange_id = path.rsplit("/", 1)
        found = self.proofs if kind == "/present-proof-2.0/records" else self.offers
        if exchange_id not in found:
            raise AgentError("GET", path, 404, "not found")
        record = found[exchange_id]
        return record if found is self.proofs else {"cred_ex_record": record}


def _matches(record, params):
    return all(record.get(k) == params[k] for k in ("role", "state") if k in params)


class Clock:
    """A monotonic clock moved by hand."""

    now = 0.0

    def __call__(self):
        """Return the time."""
        return self.now


@pytest.fixture
def admin():
    return Admin()


@pytest.fixture
def agent(admin):
    return Agent("holder", admin)


def hear(waiting, payload, topic=PROOF):
    """Pass one holder webhook to `waiting`."""
    waiting.on_event(Event(0, "holder", topic, payload))


def ids(records):
    return [r.pres_ex_id for r in records]


def test_a_request_heard_after_the_listing_is_read_by_id_not_listed_again(admin, agent):
    waiting = Waiting(lambda: NOW)
    waiting.relist(agent)
    hear(waiting, admin.save("px-1", "request-received"))
    assert ids(waiting.requests(agent)) == ["px-1"]
    assert admin.listings == 1


def test_a_request_answered_without_a_webhook_is_not_shown_and_leaves(admin, agent):
    waiting = Waiting(lambda: NOW)
    hear(waiting, admin.save("px-1", "request-received"))
    admin.save("px-1", "presentation-sent")  # its webhook lost, or not here yet
    assert waiting.requests(agent) == []
    assert waiting.index.ids(PROOF) == []


def test_a_late_webhook_of_the_request_does_not_bring_an_answered_one_back(admin, agent):
    waiting = Waiting(lambda: NOW)
    asked = dict(admin.save("px-1", "request-received"))
    hear(waiting, admin.save("px-1", "presentation-sent"))
    hear(waiting, asked)
    assert waiting.requests(agent) == []


def test_a_record_not_found_is_not_shown_and_leaves_after_the_grace(admin, agent):
    clock = Clock()
    waiting = Waiting(lambda: NOW, clock=clock)
    waiting.relist(agent)
    heard = admin.save("px-1", "request-received")
    del admin.proofs["px-1"]  # announced, not committed yet; or deleted
    hear(waiting, heard)
    assert waiting.requests(agent) == []
    assert waiting.index.ids(PROOF) == ["px-1"]
    admin.proofs["px-1"] = heard  # committed now
    assert ids(waiting.requests(agent)) == ["px-1"]
    del admin.proofs["px-1"]  # deleted
    assert waiting.requests(agent) == []
    clock.now = MISSING_GRACE
    assert waiting.requests(agent) == []
    assert waiting.index.ids(PROOF) == []


def test_after_the_agent_restarted_the_first_read_lists_again(admin, agent):
    restarts = [0]
    waiting = Waiting(lambda: NOW, generation=lambda: restarts[0])
    waiting.relist(agent)
    admin.save("px-1", "request-received")  # arrived as the agent died: no webhook
    assert waiting.requests(agent) == []
    restarts[0] += 1
    assert ids(waiting.requests(agent)) == ["px-1"]
    assert admin.listings == 2


def test_the_timer_lists_again_only_when_due(admin, agent):
    clock = Clock()
    waiting = Waiting(lambda: NOW, clock=clock, relist_every=300)
    waiting.relist(agent)
    admin.save("px-1", "request-received")  # its webhook never came
    clock.now = 299
    assert waiting.tick(agent) is False
    clock.now = 300
    assert waiting.tick(agent) is True
    assert ids(waiting.requests(agent)) == ["px-1"]


def test_lock_forgets_and_the_next_read_lists(admin, agent):
    waiting = Waiting(lambda: NOW)
    hear(waiting, admin.save("px-1", "request-received"))
    waiting.forget()
    assert waiting.index.ids(PROOF) == []
    assert ids(waiting.requests(agent)) == ["px-1"]  # listed again: nothing was listed yet
    assert admin.listings == 1


def test_offers_are_read_by_id_and_filtered_by_state(admin, agent):
    waiting = Waiting(lambda: NOW)
    offer = {"cred_ex_id": "cx-1", "state": "offer-received", "role": "holder", "updated_at": "1"}
    admin.offers["cx-1"] = offer
    waiting.relist(agent)
    assert [r.cred_ex_id for r in waiting.offers(agent)] == ["cx-1"]
    admin.offers["cx-1"] = {**offer, "state": "done", "updated_at": "2"}
    assert waiting.offers(agent) == []


@pytest.mark.parametrize(
    ("state", "by_format", "shown"),
    [
        ("proposal-sent", {"pres_proposal": {"anoncreds": REQUEST}}, True),
        ("abandoned", {"pres_proposal": {"anoncreds": REQUEST}}, True),  # the firm declined
        ("request-received", {"pres_proposal": {}, "pres_request": {"anoncreds": REQUEST}}, False),
    ],
)
def test_proposals_are_heard_and_read_by_id(admin, agent, state, by_format, shown):
    waiting = Waiting(lambda: NOW)
    waiting.relist(agent)
    hear(waiting, admin.save("px-1", state, by_format=by_format))
    assert ids(waiting.proposals(agent)) == (["px-1"] if shown else [])


def test_a_listing_is_read_page_by_page_past_acapy_s_default_of_100():
    held = list(range(2 * PAGE + 5))
    asked = []

    def records(agent, limit, offset, **filters):
        asked.append((offset, filters))
        return held[offset : offset + limit]

    assert every(records, None, role="prover") == held
    assert asked == [
        (0, {"role": "prover"}),
        (PAGE, {"role": "prover"}),
        (2 * PAGE, {"role": "prover"}),
    ]
