"""The AutoResponder over a fake holder: each request once, own proposals answered."""

import queue
import threading
import time

from wallet.agent.handle import Agent
from wallet.consent.policy import Decision, Policy
from wallet.flows.matching import Candidate
from wallet.flows.records import PresExchange
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
        for found in self.pending:
            if path == f"/present-proof-2.0/records/{found['pres_ex_id']}":
                return found
        return []

    def post(self, path, body=None, **params):
        """Record a POST."""
        self.posts.append((path, body))
        return {}


class Waiting:
    """What waits for the person, as `holder.waiting.Waiting` tells it."""

    def __init__(self, records):
        """Tell `records` as waiting."""
        self.records = records

    def requests(self, agent):
        """Return the waiting request records."""
        return [PresExchange.from_agent(r) for r in self.records]


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
    assert responder.catch_up(Waiting([waiting])) == 0
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


class Slow(AutoResponder):
    """Handles a request only when released; counts how many workers handle one at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inside = self.most = self.calls = 0
        self.count = threading.Lock()
        self.release = threading.Event()

    def handle(self, record):
        with self.count:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self.calls += 1
        self.release.wait(10)
        with self.count:
            self.inside -= 1


def test_a_request_retried_while_a_worker_answers_it_is_decided_again_after_never_twice_at_once():
    """Terms agreed while the rule's answer is being sent: no second, concurrent answer."""
    waiting = record("px-1", SMALLER)
    responder = Slow(Agent("holder", Admin([waiting])), Policy, workers=2)
    for thread in responder._threads:
        thread.start()
    responder.submit(waiting)
    deadline = time.monotonic() + 10
    while responder.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert responder.retry("px-1") is True  # a worker has it: decided again afterwards
    responder._queue.put(waiting)  # and a second copy queued meanwhile is not taken
    time.sleep(0.1)
    assert responder.most == 1
    responder.release.set()
    responder.drain()
    for _ in responder._threads:
        responder._queue.put(None)
    assert (responder.most, responder.calls) == (1, 2)


def test_the_answer_to_an_own_proposal_waits_for_its_terms_too():
    """The terms gate holds the person's smaller answer as any other: no data leaves free
    while terms the firm offered are not agreed (#19.2)."""
    held = Decision("ask", "terms:open", "The firm's terms are not agreed yet.")
    responder = AutoResponder(Agent("holder", Admin()), Policy, gate=lambda record, d: held)
    bound = {**SMALLER, "name": "proof-request", "nonce": "5"}
    outcome = responder.handle(record("px-1", bound, SMALLER))
    assert outcome.decision == held and outcome.sent is None


HELD = {
    "cred_info": {
        "referent": "c-1",
        "attrs": {"birthdate_dateint": "19900101"},
        "schema_id": "s",
        "cred_def_id": "d",
    },
    "presentation_referents": ["a"],
}


def test_the_default_answer_reads_its_candidates_through_the_lookup_given():
    """The wallet's credential index answers, not ACA-Py's listing of every candidate
    (this fake's listing holds none: without the lookup nothing could be sent)."""
    admin, asked = Admin(), []

    def lookup(holder, pres_ex_id, request):
        asked.append((pres_ex_id, sorted(request["requested_predicates"])))
        return [Candidate.from_agent(HELD)], {}

    responder = AutoResponder(Agent("holder", admin), Policy, lookup=lookup)
    bound = {**SMALLER, "name": "proof-request", "nonce": "5"}
    outcome = responder.handle(record("px-1", bound, SMALLER))
    assert asked == [("px-1", ["a"])]
    assert outcome.error is None
    assert outcome.sent["requested_predicates"]["a"]["cred_id"] == "c-1"
    assert [path for path, _ in admin.posts] == [
        "/present-proof-2.0/records/px-1/send-presentation"
    ]
