"""Answer firms' terms while the wallet is unlocked, issue receipts after automatic answers,
and ask for erasure when a receipt's retention has ended.

Like `autoanswer`, `TermsAnswer.sync()` runs after every request of the app and
follows the unlocked wallet's webhook hub. Offers are priced against the person's
price list (`auto_answer`): at or above their price accepted, below their floor
countered, in between left to the person on the consent screen. An offer agreed
lets the person's rules decide again on the request it belongs to.
"""

import logging
import queue
import threading

from ..errors import InputError, WalletError
from ..flows import present
from ..pricing import store
from ..terms.negotiation import auto_answer, latest_offer
from . import receipt_book, records, terms_view

LOG = logging.getLogger(__name__)
EXTENSION = "termsanswer"


class TermsAnswer:
    """Keeps a terms listener on the unlocked wallet's hub, with one worker thread."""

    def __init__(self, service, clock, autoanswer=None):
        """`clock()` returns an aware datetime; `autoanswer` is the app's `Autoanswer`."""
        self.service = service
        self.clock = clock
        self.autoanswer = autoanswer
        self._hub = None
        self._lock = threading.Lock()
        self._queue = queue.Queue()
        self._thread = None

    def sync(self):
        """Follow the unlocked wallet: listen on its new hub, catch up; stop at lock."""
        with self._lock:
            hub, agent = self.service.hub, self.service.agent
            if hub is self._hub and (agent is not None or hub is None):
                return
            if self._hub is not None:
                self._hub.remove_listener(self._on_event)
            self._hub = hub
            if agent is None or hub is None:
                return
            hub.add_listener(self._on_event)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="terms", daemon=True)
                self._thread.start()
        self._queue.put(("catch-up", None))

    def stop(self):
        """Stop listening and end the worker."""
        with self._lock:
            if self._hub is not None:
                self._hub.remove_listener(self._on_event)
            self._hub = None
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def drain(self):
        """Block until queued work is done (tests)."""
        self._queue.join()

    def _on_event(self, event):
        if event.role != "holder":
            return
        payload = event.payload
        if event.topic == "tessera_terms":
            if (payload.get("kind"), payload.get("direction"), payload.get("status")) == (
                "offer",
                "received",
                "accepted",
            ):
                self._queue.put(("offer", payload))
        elif event.topic == "present_proof_v2_0" and payload.get("state") == "request-received":
            self._queue.put(("request", payload))

    def _work(self):
        while (item := self._queue.get()) is not None:
            try:
                self.handle(*item)
            except WalletError as exc:
                LOG.warning("Terms: could not handle %s: %s", item[0], exc)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def handle(self, kind, payload):
        """Answer an offer, or the offer waiting for a request; catch up at unlock."""
        agent = self.service.agent
        if agent is None:
            return
        if kind == "catch-up":
            for record in present.requests(agent):
                self._answer_for(agent, record)
            receipt_book.request_due(self.service, self.clock())
        elif kind == "offer":
            thread = payload["body"].get("request_thread_id")
            found = agent.admin.get("/present-proof-2.0/records", thread_id=thread, role="prover")
            for record in found["results"]:
                if record.get("state") == "request-received":
                    self._answer_for(agent, record)
        elif kind == "request":
            self._answer_for(agent, payload)

    def _answer_for(self, agent, record):
        """Auto-answer the offer waiting for one request; let the rules decide again if agreed."""
        if not record.get("connection_id"):
            return None
        if "by_format" not in record or "thread_id" not in record:
            record = agent.admin.get(f"/present-proof-2.0/records/{record['pres_ex_id']}")
        try:
            offer = latest_offer(agent, record["connection_id"], record["thread_id"])
        except WalletError as exc:
            LOG.warning("Terms: cannot read offers: %s", exc)
            return None
        if offer is None or terms_view.answer_to(agent, offer) is not None:
            return None
        try:
            prices = store.load(self.service.data_dir)
        except InputError as exc:
            LOG.warning("Your price list cannot be read, so offers are left to you: %s", exc)
            return None
        result = auto_answer(agent, prices, offer, present.anoncreds_request(record))
        if result.decision == "accept":
            self.agreed(record["pres_ex_id"])
        return result

    def agreed(self, pres_ex_id):
        """Terms were agreed for a waiting request: let the person's rules decide again."""
        responder = getattr(self.autoanswer, "responder", None)
        if responder is not None:
            responder.retry(pres_ex_id)

    def gate(self, record, decision):
        """Apply the person's rule for requests without agreed terms to a policy decision."""
        agent = self.service.agent
        if agent is None:
            return decision
        return terms_view.gate(agent, self.service.data_dir, record, decision)

    def after_present(self, record):
        """Issue and link the signed receipt after a rule answered under agreed terms."""
        receipt = receipt_book.issue(self.service, record, self.clock())
        if receipt is not None:
            labels = records.connection_labels(self.service.require())
            who = labels.get(record.get("connection_id"), "(unknown firm)")
            receipt_book.link_latest(self.service, who, receipt["receipt_id"])


def init_app(state):
    """Attach a `TermsAnswer` to the app being built (a blueprint's `record_once` hook)."""
    app = state.app
    if not app.config.get("AUTOANSWER", True) or EXTENSION in app.extensions:
        return
    autoanswer = app.extensions.get("autoanswer")
    answer = TermsAnswer(app.extensions["holder_service"], app.config["WALL_CLOCK"], autoanswer)
    app.extensions[EXTENSION] = answer
    if autoanswer is not None:  # requests answered by a rule are gated and get receipts too
        autoanswer.hooks = {"gate": answer.gate, "after_present": answer.after_present}

    @app.after_request
    def _sync(response):
        answer.sync()
        return response
