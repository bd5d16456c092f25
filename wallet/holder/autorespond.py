"""Act on the person's policy as requests arrive: approve, decline, or leave for them.

Driven by the holder's webhooks, never by polling. Presentations are made by a small
pool of workers, so a burst of requests queues here instead of stalling the holder
agent (ACA-Py 1.7's holder stops completing exchanges at about 8 concurrent
presentations: its storage pool runs dry).
"""

import logging
import queue
import threading
from dataclasses import dataclass

from ..consent import request_checks
from ..consent.policy import Decision, evaluate
from ..errors import UnreadableFormat, WalletError
from ..flows import present
from ..flows.records import PresExchange

LOG = logging.getLogger(__name__)
TOPIC = "present_proof_v2_0"
WORKERS = 2
SET_ASIDE = "set-aside"


@dataclass(frozen=True)
class Outcome:
    """What the responder did with one request, for the history."""

    pres_ex_id: str
    connection_id: str | None
    decision: Decision
    sent: dict | None = None
    error: str | None = None
    prepared: object = None
    record: PresExchange | None = None


class AutoResponder:
    """Answer proof requests the person's policy decides; leave the others for them."""

    def __init__(
        self,
        holder,
        policy,
        firm_of=None,
        on_outcome=None,
        workers=WORKERS,
        prepare=None,
        gate=None,
        guard=None,
        send=None,
        lookup=None,
    ):
        """`policy()` returns the current Policy; `firm_of(record)` names the firm.

        `prepare(record, decision)`, when given, runs before an approval or decline is
        sent (while the request is still pending); its result rides on the `Outcome`.
        `gate(record, decision)` may replace the policy's decision (the terms rule).
        `guard(record, request, decision)` may turn an approval into a question (what
        answering would tell the firm: probing, hidden conditions).
        `send(record, prepared, decision)` sends an approved answer and returns what was
        `Presented` (default: the first usable credentials, as `present.present` picks,
        among the candidates `lookup` finds, as `present.assess` takes it).
        `on_outcome(outcome)` hears what was done with each request, in its worker.
        """
        self._guard = guard or (lambda record, request, decision: decision)
        self.holder = holder
        self.policy = policy
        self.firm_of = firm_of or (lambda record: record.connection_id or "unknown")
        self.on_outcome = on_outcome or (lambda outcome: None)
        self.prepare = prepare or (lambda record, decision: None)
        self.send = send or (
            lambda record, prepared, decision: present.present(
                holder, record, assessed=present.assess(holder, record, lookup=lookup)
            )
        )
        self._gate = gate
        self._seen = set()
        self._busy = set()  # being handled by a worker now
        self._again = set()  # to decide again once its worker is done (terms agreed meanwhile)
        self._seen_lock = threading.Lock()
        self._queue = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"autorespond-{i}", daemon=True)
            for i in range(workers)
        ]

    def gate(self, record, decision):
        """Return the decision after the gate (the terms rule), if any."""
        return self._gate(record, decision) if self._gate else decision

    def start(self):
        """Listen to the holder's webhooks and start the workers."""
        for thread in self._threads:
            thread.start()
        self.holder.hub.add_listener(self._on_event)
        return self

    def stop(self):
        """Stop listening and let the workers finish what they hold."""
        self.holder.hub.remove_listener(self._on_event)
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=30)

    def _on_event(self, event):
        if event.role != self.holder.role or event.topic != TOPIC:
            return
        if event.payload.get("state") == "request-received":
            self.submit(PresExchange.from_agent(event.payload))

    def submit(self, record):
        """Queue a received request record once (a webhook and a scan may both see it)."""
        record = PresExchange.from_agent(record)
        with self._seen_lock:
            if record.pres_ex_id in self._seen:
                return False
            self._seen.add(record.pres_ex_id)
        self._queue.put(record)
        return True

    def retry(self, pres_ex_id):
        """Decide again on a request still waiting (its terms were agreed since).

        A request a worker is handling now is decided again once it is done, never by
        two workers at once (both would send, and log, the same answer).
        """
        with self._seen_lock:
            if pres_ex_id in self._busy:
                self._again.add(pres_ex_id)
                return True
            self._seen.discard(pres_ex_id)
        record = present.record(self.holder, pres_ex_id)
        return record.state == "request-received" and self.submit(record)

    def catch_up(self, waiting):
        """Queue every request already waiting (arrived before the responder listened).

        `waiting` (a `holder.waiting.Waiting`) knows which ones wait, so only those are read.
        """
        return sum(self.submit(record) for record in waiting.requests(self.holder))

    def _work(self):
        while (record := self._queue.get()) is not None:
            pres_ex_id = PresExchange.from_agent(record).pres_ex_id
            with self._seen_lock:
                taken = pres_ex_id in self._busy  # queued twice: the other worker has it
                if taken:
                    self._again.add(pres_ex_id)
                else:
                    self._busy.add(pres_ex_id)
            if taken:
                self._queue.task_done()
                continue
            try:
                self.handle(record)
            finally:
                with self._seen_lock:
                    self._busy.discard(pres_ex_id)
                    again = pres_ex_id in self._again
                    self._again.discard(pres_ex_id)
                if again:
                    self._retry_quietly(pres_ex_id)
                self._queue.task_done()
        self._queue.task_done()

    def _retry_quietly(self, pres_ex_id):
        try:
            self.retry(pres_ex_id)
        except WalletError as exc:
            LOG.warning("Cannot decide again on request %s: %s", pres_ex_id, exc)

    def drain(self):
        """Block until every queued request has been handled."""
        self._queue.join()

    def handle(self, record):
        """Decide on one received request record and act on the decision."""
        record = PresExchange.from_agent(record)
        pres_ex_id = record.pres_ex_id
        try:
            if not record.whole:  # webhooks without --debug-webhooks carry the state only
                record = present.record(self.holder, pres_ex_id)
            request = present.anoncreds_request(record)
        except UnreadableFormat as exc:
            return self._set_aside(record, [str(exc)])
        except WalletError as exc:
            LOG.warning("Cannot read request %s: %s", pres_ex_id, exc)
            decision = Decision("ask", "error", f"Tessera could not read this request: {exc}")
            outcome = Outcome(pres_ex_id, record.connection_id, decision, error=str(exc))
            self.on_outcome(outcome)
            return outcome
        problems = request_checks.check(request).problems
        if problems:
            return self._set_aside(record, problems)
        proposal = record.proposal
        decision = evaluate(self.policy(), request, self.firm_of(record), proposal)
        try:
            decision = self._guard(record, request, decision)
        except WalletError as exc:
            LOG.warning("Cannot weigh request %s, left to the person: %s", pres_ex_id, exc)
            decision = Decision("ask", "error", f"Tessera could not weigh this request: {exc}")
        if decision.action == "approve":  # a smaller answer of the person's too: terms first
            decision = self.gate(record, decision)
        prepared = sent = error = None
        try:
            if decision.action in ("approve", "decline"):
                prepared = self.prepare(record, decision)
            if decision.action == "approve":
                presented = self.send(record, prepared, decision)
                sent, record = presented.body, presented.record
            elif decision.action == "decline":
                present.decline(self.holder, pres_ex_id, decision.reason)
        except WalletError as exc:
            LOG.warning("Could not act on request %s: %s", pres_ex_id, exc)
            sent, error = None, str(exc)
        outcome = Outcome(pres_ex_id, record.connection_id, decision, sent, error, prepared, record)
        self.on_outcome(outcome)
        return outcome

    def _set_aside(self, record, problems):
        """Leave a request the wallet cannot read or that is malformed to the person."""
        LOG.info("Request %s set aside: %s", record.pres_ex_id, "; ".join(problems))
        decision = Decision("ask", SET_ASIDE, "This request is malformed; only you can decline it.")
        outcome = Outcome(record.pres_ex_id, record.connection_id, decision, record=record)
        self.on_outcome(outcome)
        return outcome
