"""The verifier firm countersigns the receipts people send it, as they arrive.

A listener on the firm agent's webhooks queues work for one worker thread: a receipt
received is countersigned at once, or when its presentation is verified (a receipt
can arrive before the verification ends). The worker also sweeps every receipt not
yet countersigned when it starts and every `interval` seconds, which catches what
arrived while the console was down, a lost webhook, or an agent without a hub.
No page view countersigns anything.
"""

import logging
import queue
import threading

from ..errors import WalletError
from ..flows.receipts import countersign_received, receipts
from ..flows.terms import messages

LOG = logging.getLogger(__name__)
SWEEP_EVERY = 60.0


def countersign_pending(firm, ring):
    """Countersign every receipt received and not yet countersigned; return how many."""
    done = {r["receipt_id"] for r in receipts(firm, side="firm")}
    count = 0
    for message in messages(firm, kind="receipt", direction="received", status="accepted"):
        if message["receipt_id"] in done or not _ours(message, ring):
            continue
        try:
            countersign_received(firm, ring, message)
        except WalletError as exc:  # e.g. the proof is not verified yet: try again later
            LOG.info("Receipt %s not countersigned yet: %s", message["receipt_id"], exc)
            continue
        done.add(message["receipt_id"])
        count += 1
    return count


def _ours(message, ring):
    """Return True when the receipt names this firm's key for its connection (pure check)."""
    firm = ((message.get("body") or {}).get("receipt") or {}).get("firm") or {}
    return firm.get("key") == ring.for_connection(message["connection_id"]).did


class Countersigner:
    """Countersigns arriving receipts on one worker thread, between `start` and `stop`."""

    def __init__(self, firm, ring, interval=SWEEP_EVERY):
        """Use the firm's `Agent` (its hub, if any, wakes the worker) and its `KeyRing`."""
        self.firm = firm
        self.ring = ring
        self.interval = interval
        self._queue = queue.Queue()
        self._thread = None

    def start(self):
        """Listen to the firm's webhooks and start the worker (it sweeps first)."""
        if self._thread is not None:
            return self
        if self.firm.hub is not None:
            self.firm.hub.add_listener(self._on_event)
        self._thread = threading.Thread(target=self._work, name="countersign", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop listening and end the worker."""
        if self.firm.hub is not None:
            self.firm.hub.remove_listener(self._on_event)
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def drain(self):
        """Block until the work queued so far is done (tests)."""
        self._queue.join()

    def _on_event(self, event):
        if event.role != self.firm.role:
            return
        payload = event.payload
        if event.topic == "tessera_terms":
            if (payload.get("kind"), payload.get("direction")) == ("receipt", "received"):
                self._queue.put("sweep")
        elif event.topic == "present_proof_v2_0" and payload.get("state") == "done":
            self._queue.put("sweep")

    def _work(self):
        self._sweep()
        while True:
            try:
                item = self._queue.get(timeout=self.interval)
            except queue.Empty:
                self._sweep()
                continue
            try:
                if item is None:
                    return
                self._sweep()
            finally:
                self._queue.task_done()

    def _sweep(self):
        try:
            countersign_pending(self.firm, self.ring)
        except WalletError as exc:
            LOG.info("Receipts not countersigned for now: %s", exc)
        except Exception:
            # A worker thread has nobody to raise to: log the traceback and keep working.
            LOG.exception("Countersigning receipts failed")
