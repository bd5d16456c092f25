"""Forward queued envelopes to the person's agent, in arrival order, when triggered.

A pass over a person's queue runs when an envelope arrives, when the agent registers
its keys (it has just started), or when `trigger()` / `deliver_now()` is called (the
wallet was unlocked). An envelope is forgotten only once the agent confirms it
*processed* the message (see `ack.py`): its handler ran and its records are stored, or
it had already processed it. An agent that does not answer ends the pass: while
delivery is held (locked) nothing more happens; otherwise the pass is retried after a
growing delay (the agent died while unlocked, or is slow). An envelope the agent
rejects stays queued with its failure recorded while the envelopes behind it go on;
arrivals retry it only once its exponential backoff has passed, `deliver_now()` at once.
"""

import logging
import threading
from dataclasses import dataclass

import httpx

from .ack import DELIVERED_HEADER, DELIVERY_HEADER, DONE, FAILED, OUTCOME_HEADER
from .errors import InboxError

LOG = logging.getLogger("tessera.inbox")
POST_TIMEOUT = 30.0
UNCONFIRMED = (
    "the agent answered without confirming it processed the message (is the "
    "wallet.inbound plugin loaded?); kept"
)


def backoff(attempts, base=5.0, cap=3600.0):
    """Return seconds to wait before retrying after `attempts` rejections."""
    return min(cap, base * 2 ** (attempts - 1))


def unreachable_backoff(passes, base=2.0, cap=60.0):
    """Return seconds before retrying a released queue whose agent did not answer."""
    return min(cap, base * 2 ** (passes - 1))


@dataclass(frozen=True)
class Answer:
    """The agent's answer to one delivery: status (None when unreachable), reason, and ack."""

    status: int | None
    reason: str = ""
    delivered: str = ""  # the delivery id the agent echoed
    outcome: str = ""  # processed | duplicate | failed, or '' from an agent without the plugin

    @property
    def ok(self):
        """Return True for a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    def confirms(self, delivery):
        """Return True when the agent says it processed (or had processed) `delivery`."""
        return self.ok and self.delivered == delivery and self.outcome in DONE


def http_post(url, body, content_type, delivery, timeout=POST_TIMEOUT):
    """POST one envelope, tagged with its delivery id, to an agent; return its `Answer`."""
    headers = {"Content-Type": content_type, DELIVERY_HEADER: delivery}
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return Answer(None, type(exc).__name__)
    return Answer(
        response.status_code,
        response.reason_phrase or response.text[:200],
        response.headers.get(DELIVERED_HEADER, ""),
        response.headers.get(OUTCOME_HEADER, ""),
    )


@dataclass(frozen=True)
class Report:
    """The outcome of one delivery pass."""

    delivered: int
    rejected: int
    remaining: int
    reachable: bool
    retry_at: float | None = None  # when the earliest rejected envelope is due again


class _Ticket:
    def __init__(self, force):
        self.force = force
        self.done = threading.Event()
        self.report = None


class Deliverer:
    """One worker thread delivering every person's queue, one pass at a time."""

    def __init__(self, store, post=http_post, backoff=backoff, retry=unreachable_backoff):
        """Prepare; `start()` runs the worker. `post(url, body, type, delivery)` -> Answer."""
        self.store = store
        self.post = post
        self.backoff = backoff
        self.retry = retry
        self._cond = threading.Condition()
        self._wanted = {}  # person id -> list of tickets
        self._unanswered = {}  # person id -> passes in a row the agent did not answer
        self._timers = {}  # person id -> the Timer of its next retry
        self._stopping = False
        self._thread = None

    def start(self):
        """Run the worker thread; queues left from before are tried once at start."""
        self._thread = threading.Thread(target=self._run, name="inbox-delivery", daemon=True)
        self._thread.start()
        for person_id in self.store.people():
            if self.store.pending(person_id):
                self.trigger(person_id)
        return self

    def stop(self, timeout=POST_TIMEOUT + 5):
        """Stop the worker after its current delivery."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()
        if self._thread is not None:
            self._thread.join(timeout)

    def trigger(self, person_id, force=False):
        """Ask for a pass over the person's queue; return a ticket to wait on."""
        ticket = _Ticket(force)
        with self._cond:
            self._wanted.setdefault(person_id, []).append(ticket)
            self._cond.notify_all()
        return ticket

    def deliver_now(self, person_id, timeout=POST_TIMEOUT * 4):
        """Release a held queue, deliver everything (backoff ignored), return a `Report`."""
        self.store.set_held(person_id, False)
        ticket = self.trigger(person_id, force=True)
        if not ticket.done.wait(timeout):
            raise InboxError(f"Delivery did not finish within {timeout:.0f} s; it goes on.")
        return ticket.report

    def _next(self):
        with self._cond:
            while not self._stopping:
                if self._wanted:
                    person_id = next(iter(self._wanted))
                    return person_id, self._wanted.pop(person_id)
                self._cond.wait()
            return None, []

    def _run(self):
        while True:
            person_id, tickets = self._next()
            if person_id is None:
                return
            force = any(t.force for t in tickets)
            try:
                report = self.drain(person_id, force=force)
            except (InboxError, OSError) as exc:  # the worker must outlive a bad pass
                LOG.error("inbox %s: delivery pass failed: %s", person_id, exc)
                report = None
            self._schedule_retry(person_id, report)
            for ticket in tickets:
                ticket.report = report
                ticket.done.set()

    def _schedule_retry(self, person_id, report):
        """Plan a released queue's next pass (no answer, or a backoff runs out); none if held."""
        with self._cond:
            if report is None or self._stopping:
                return
            if report.reachable:
                self._unanswered.pop(person_id, None)
                if report.retry_at is None:
                    return
                delay = max(1.0, report.retry_at - self.store.clock())
            else:
                passes = self._unanswered[person_id] = self._unanswered.get(person_id, 0) + 1
                delay = self.retry(passes)
            if self.store.held(person_id) or person_id in self._timers:
                return
            timer = threading.Timer(delay, self._retry_due, (person_id,))
            timer.daemon = True
            self._timers[person_id] = timer
        LOG.info("inbox %s: next delivery pass in %.0f s", person_id, delay)
        timer.start()

    def cancel_retry(self, person_id):
        """Drop a planned retry pass (delivery is held now)."""
        with self._cond:
            timer = self._timers.pop(person_id, None)
            self._unanswered.pop(person_id, None)
        if timer is not None:
            timer.cancel()

    def retry_planned(self, person_id):
        """Return True while a retry pass is planned for the person."""
        with self._cond:
            return person_id in self._timers

    def _retry_due(self, person_id):
        with self._cond:
            self._timers.pop(person_id, None)
        self.trigger(person_id)

    def drain(self, person_id, force=False):
        """Deliver a person's queue in order; return a `Report`. Called by the worker."""
        store = self.store
        if store.held(person_id) and not force:
            return Report(0, 0, len(store.pending(person_id)), True)
        target = store.target(person_id)
        delivered = rejected = 0
        retry_at = None
        for item in store.pending(person_id):
            failed = store.failure(person_id, item)
            if failed and not force and failed["next_at"] > store.clock():
                retry_at = min(retry_at or failed["next_at"], failed["next_at"])
                continue
            answer = self.post(target, store.read(person_id, item), item.content_type, item.name)
            if answer.confirms(item.name):
                store.mark_delivered(person_id, item)
                delivered += 1
                LOG.info(
                    "inbox %s: delivered #%d (%d bytes), %s by the agent",
                    person_id,
                    item.seq,
                    item.size,
                    answer.outcome,
                )
            elif answer.status is None:
                waiting = len(store.pending(person_id))
                LOG.info(
                    "inbox %s: agent not reachable (%s); %d envelopes wait for unlock",
                    person_id,
                    answer.reason,
                    waiting,
                )
                return Report(delivered, rejected, waiting, False)
            else:
                reason = answer.reason
                if answer.ok:
                    failed = answer.outcome == FAILED and answer.delivered == item.name
                    reason = "the agent's handler failed; kept" if failed else UNCONFIRMED
                record = store.record_failure(person_id, item, answer.status, reason, self.backoff)
                retry_at = min(retry_at or record["next_at"], record["next_at"])
                rejected += 1
                LOG.warning(
                    "inbox %s: agent rejected #%d (%d bytes) with HTTP %d (%s); kept, "
                    "attempt %d, next try in %.0f s",
                    person_id,
                    item.seq,
                    item.size,
                    answer.status,
                    record["reason"],
                    record["attempts"],
                    record["next_at"] - record["at"],
                )
        return Report(delivered, rejected, len(store.pending(person_id)), True, retry_at)
