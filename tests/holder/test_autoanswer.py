"""The person's rules answer from the candidates the wallet's credential index finds."""

import datetime

from wallet.agent.handle import Agent
from wallet.flows.matching import Candidate
from wallet.holder.autoanswer import Autoanswer

from .test_autorespond import HELD, SMALLER, Waiting, record


class Admin:
    """No connections, no candidates in ACA-Py's listing; records POSTs."""

    def __init__(self):
        """Nothing posted yet."""
        self.gets, self.posts = [], []

    def get(self, path, **params):
        """Answer a read: an empty listing."""
        self.gets.append(path)
        return {"results": []} if path == "/connections" else []

    def post(self, path, body=None, **params):
        """Record a POST."""
        self.posts.append((path, body))
        return {}


class Hub:
    """A hub no webhook arrives on."""

    def add_listener(self, listener):
        """Listen to nothing."""

    def remove_listener(self, listener):
        """Stop listening to nothing."""


def test_a_rule_answer_reads_its_candidates_once_through_the_lookup(tmp_path):
    admin, asked = Admin(), []

    def lookup(holder, pres_ex_id, request):
        asked.append(pres_ex_id)
        return [Candidate.from_agent(HELD)], {}

    rules = Autoanswer(tmp_path, {}, lambda: datetime.date(2026, 12, 3))
    rules.start(Agent("holder", admin, Hub()), None, Waiting([]), lookup=lookup)
    try:
        bound = {**SMALLER, "name": "proof-request", "nonce": "5"}
        outcome = rules.responder.handle(record("px-1", bound, SMALLER))
    finally:
        rules.stop()
    assert outcome.decision.action == "approve" and outcome.error is None
    assert asked == ["px-1"]  # described, then answered from the same lookup
    assert outcome.sent["requested_predicates"]["a"]["cred_id"] == "c-1"
    # ACA-Py's listing is read once, by the probing guard, which weighs every credential
    # holding a predicate's attribute; describing and sending read it too before.
    assert admin.gets.count("/present-proof-2.0/records/px-1/credentials") == 1
    assert [path for path, _ in admin.posts] == [
        "/present-proof-2.0/records/px-1/send-presentation"
    ]
    assert rules._assessed == {}
