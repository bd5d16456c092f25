"""Answer firms' terms while the wallet is unlocked, issue receipts after automatic answers,
and ask for erasure when a receipt's retention has ended.

`start()` listens on the unlocked wallet's webhook hub with one worker thread and
catches up on what waited; `stop()` ends both at lock. Nothing is agreed for the
person on its own: without a price list every offer waits for them; with one, an offer
is accepted only when the person's accept rule names its every term (purpose,
retention, onward sharing) and it pays their price, and countered below their floor
only when they turned automatic counters on (`price_list.automatic`). An offer agreed
lets the person's rules decide again on the request it belongs to
(`on_agreed(pres_ex_id)`).
"""

import logging
import queue
import threading

from ..errors import InputError, WalletError
from ..flows import present
from ..flows.negotiation import latest_offer, names, respond
from ..flows.records import PresExchange
from ..pricing import store
from ..pricing.price_list import automatic, quote
from . import receipt_book, terms_view

LOG = logging.getLogger(__name__)


class TermsAnswer:
    """A terms listener on the unlocked wallet's hub, with one worker thread."""

    def __init__(self, data_dir, clock, on_agreed=None):
        """`clock()` returns an aware datetime; `on_agreed(pres_ex_id)` hears agreed terms."""
        self.data_dir = data_dir
        self.clock = clock
        self.on_agreed = on_agreed or (lambda pres_ex_id: None)
        self._agent = None
        self._waiting = None
        self._queue = None
        self._thread = None
        self._lock = threading.Lock()

    def start(self, agent, waiting):
        """Listen to `agent`'s webhooks, start the worker and queue a catch-up.

        `waiting` (a `holder.waiting.Waiting`) says which requests wait at the catch-up.
        """
        self.stop()
        work = queue.Queue()
        thread = threading.Thread(target=self._work, args=(work,), name="terms", daemon=True)
        with self._lock:
            self._agent, self._waiting = agent, waiting
            self._queue, self._thread = work, thread
            agent.hub.add_listener(self._on_event)
        thread.start()
        work.put(("catch-up", None))

    def stop(self):
        """Stop listening and end the worker (it finishes what it holds)."""
        with self._lock:
            agent, work, thread = self._agent, self._queue, self._thread
            self._agent = self._waiting = self._queue = self._thread = None
        if agent is not None:
            agent.hub.remove_listener(self._on_event)
        if thread is not None:
            work.put(None)
            thread.join(timeout=30)

    def drain(self):
        """Block until queued work is done (tests)."""
        work = self._queue
        if work is not None:
            work.join()

    def _on_event(self, event):
        work = self._queue
        if event.role != "holder" or work is None:
            return
        payload = event.payload
        if event.topic == "tessera_terms":
            if (payload.get("kind"), payload.get("direction"), payload.get("status")) == (
                "offer",
                "received",
                "accepted",
            ):
                work.put(("offer", payload))
        elif event.topic == "present_proof_v2_0" and payload.get("state") == "request-received":
            work.put(("request", payload))

    def _work(self, work):
        while (item := work.get()) is not None:
            try:
                self.handle(*item)
            except WalletError as exc:
                LOG.warning("Terms: could not handle %s: %s", item[0], exc)
            finally:
                work.task_done()
        work.task_done()

    def handle(self, kind, payload):
        """Answer an offer, or the offer waiting for a request; catch up at start."""
        agent, waiting = self._agent, self._waiting
        if agent is None:
            return
        if kind == "catch-up":
            for record in waiting.requests(agent):
                self._answer_for(agent, record)
            receipt_book.request_due(agent, self.data_dir, self.clock())
        elif kind == "offer":
            thread = payload["body"].get("request_thread_id")
            for record in present.records(agent, thread_id=thread, role="prover"):
                if record.state == "request-received":
                    self._answer_for(agent, record)
        elif kind == "request":
            self._answer_for(agent, PresExchange.from_agent(payload))

    def _answer_for(self, agent, record):
        """Auto-answer the offer waiting for one request; let the rules decide again if agreed."""
        if not record.connection_id:
            return None
        if not record.whole or record.thread_id is None:
            record = present.record(agent, record.pres_ex_id)
        try:
            offer = latest_offer(agent, record.connection_id, record.thread_id)
        except WalletError as exc:
            LOG.warning("Terms: cannot read offers: %s", exc)
            return None
        if offer is None or terms_view.answer_to(agent, offer) is not None:
            return None
        kept = terms_view.carried_over(agent, record, offer)
        if kept:
            respond(agent, offer, "accept", None, kept)
            self.on_agreed(record.pres_ex_id)
            return kept
        try:
            prices = store.load(self.data_dir)
        except InputError as exc:
            LOG.warning("Your price list cannot be read, so offers are left to you: %s", exc)
            return None
        if prices is None:  # no prices set: the person answers every offer
            return None
        body = offer["body"]
        revealed, predicates = names(present.anoncreds_request(record))
        try:
            result = automatic(prices, body, quote(prices, revealed, predicates, body["purpose"]))
        except InputError as exc:
            LOG.warning("An offer cannot be priced, so it is left to you: %s", exc)
            return None
        if result.decision in ("accept", "counter"):
            respond(agent, offer, result.decision, result.price, result.reason)
        if result.decision == "accept":
            self.on_agreed(record.pres_ex_id)
        return result

    def gate(self, record, decision):
        """Apply the person's rule for requests without agreed terms to a policy decision."""
        agent = self._agent
        if agent is None:
            return decision
        return terms_view.gate(agent, self.data_dir, record, decision)

    def receipt_for(self, record, entry):
        """Issue the signed receipt of a presentation a rule sent; link it to its history entry."""
        agent = self._agent
        if agent is None:
            return None
        receipt = receipt_book.issue(agent, self.data_dir, record, self.clock())
        if receipt is not None:
            receipt_book.link(self.data_dir, entry, receipt["receipt_id"])
        return receipt
