"""The AutoResponder over a fake holder: each request once, own proposals answered."""

import queue

from wallet.agent.handle import Agent
from wallet.consent.policy import Policy
from wallet.holder.autorespond import AutoResponder

SMALLER = {
    "requested_attributes": {},
    "requested_predicates": {
        "a": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20000101}
    },
}


class Admin:
    """Records POSTs; lists the given pending records; no candidates."""

    def __init__(self, pending=()):
        """Serve `pending` as the waiting requests."""
        self.pending = list(pending)
        self.posts = []

    def get(self, path, **params):
        """Answer the reads the responder makes."""
        if path == "/present-proof-2.0/records":
            return {"results": self.pending}
        return []

    def post(self, path, body=None, **params):
        """Record a POST."""
        self.posts.append((path, body))
        return {}


def record(pres_ex_id, request, proposal=None):
    by_format = {"pres_request": {"anoncreds": request}}
    if proposal is not None:
        by_format["pres_proposal"] = {"anoncreds": proposal}
    return {"pres_ex_id": pres_ex_id, "state": "request-received", "by_format": by_format}


def test_a_request_seen_by_webhook_and_by_scan_is_queued_once():
    waiting = record("px-1", SMALLER)
    responder = AutoResponder(Agent("holder", Admin([waiting])), Policy)
    responder._queue = queue.Queue()
    assert responder.submit(waiting) is True
    assert responder.catch_up() == 0
    assert responder._queue.qsize() == 1


def test_the_answer_to_an_own_proposal_is_approved_and_a_larger_one_is_not():
    outcomes = []
    admin = Admin()
    responder = AutoResponder(
        Agent("holder", admin), Policy, on_outcome=outcomes.append, prepare=lambda r, d: "seen"
    )
    bound = {**SMALLER, "name": "proof-request", "nonce": "5"}
    larger = {**bound, "requested_attributes": {"n": {"name": "family_name"}}}
    first = responder.handle(record("px-1", bound, SMALLER))
    assert (first.decision.rule, first.prepared) == ("proposal:yours", "seen")
    assert first.error  # no credential can answer in this fake: reported, nothing sent
    second = responder.handle(record("px-2", larger, SMALLER))
    assert (second.decision.action, second.decision.rule) == ("ask", "proposal:changed")
    assert admin.posts == [] and len(outcomes) == 2
