"""Forward queued envelopes to the person's agent, in arrival order, when triggered.

Nothing polls on a fixed interval: a pass over a person's queue runs when an envelope
arrives or when `trigger()` / `deliver_now()` is called (the wallet was unlocked). An
unreachable agent ends the pass quietly (it is locked). An envelope the agent rejects
stays queued with its failure recorded while the envelopes behind it go on; arrivals
retry it only once its exponential backoff has passed, `deliver_now()` retries it at once.
"""

import logging
import threading
from dataclasses import dataclass

import httpx

from .errors import InboxError

LOG = logging.getLogger("tessera.inbox")
POST_TIMEOUT = 30.0


def backoff(attempts, base=5.0, cap=3600.0):
    """Return seconds to wait before retrying after `attempts` rejections."""
    return min(cap, base * 2 ** (attempts - 1))


@dataclass(frozen=True)
class Answer:
    """The agent's answer to one delivery: status (None when unreachable) and reason."""

    status: int | None
    reason: str = ""

    @property
    def ok(self):
        """Return True for a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


def http_post(url, body, content_type, timeout=POST_TIMEOUT):
    """POST one envelope to an agent's inbound transport; return its `Answer`."""
    try:
        response = httpx.post(
            url, content=body, headers={"Content-Type": content_type}, timeout=timeout
        )
    except httpx.HTTPError as exc:
        return Answer(None, type(exc).__name__)
    return Answer(response.status_code, response.reason_phrase or response.text[:200])


@dataclass(frozen=True)
class Report:
    """The outcome of one delivery pass."""

    delivered: int
    rejected: int
    remaining: int
    reachable: bool


class _Ticket:
    def __init__(self, force):
        self.force = force
        self.done = threading.Event()
        self.report = None


class Deliverer:
    """One worker thread delivering every person's queue, one pass at a time."""

    def __init__(self, store, post=http_post, backoff=backoff):
        """Prepare; `start()` runs the worker. `post(url, body, content_type)` -> Answer."""
        self.store = store
        self.post = post
        self.backoff = backoff
        self._cond = threading.Condition()
        self._wanted = {}  # person id -> list of tickets
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
            except InboxError as exc:
                LOG.error("inbox %s: delivery pass failed: %s", person_id, exc)
                report = None
            for ticket in tickets:
                ticket.report = report
                ticket.done.set()

    def drain(self, person_id, force=False):
        """Deliver a person's queue in order; return a `Report`. Called by the worker."""
        store = self.store
        if store.held(person_id) and not force:
            return Report(0, 0, len(store.pending(person_id)), True)
        target = store.target(person_id)
        delivered = rejected = 0
        for item in store.pending(person_id):
            failed = store.failure(person_id, item)
            if failed and not force and failed["next_at"] > store.clock():
                continue
            answer = self.post(target, store.read(person_id, item), item.content_type)
            if answer.ok:
                store.mark_delivered(person_id, item)
                delivered += 1
                LOG.info("inbox %s: delivered #%d (%d bytes)", person_id, item.seq, item.size)
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
                record = store.record_failure(
                    person_id, item, answer.status, answer.reason, self.backoff
                )
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
        return Report(delivered, rejected, len(store.pending(person_id)), True)
