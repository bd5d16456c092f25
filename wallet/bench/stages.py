"""Where the time of one proof exchange goes, read from the agents' own webhooks.

Every webhook carries the exchange's thread id, so the moments each agent reports
a state can be lined up with the controller's clock.
"""

import threading
import time

from .measure import percentiles

# (stage, what happens in it, who owns it)
STAGES = (
    ("send_request", "verifier builds and sends the request (admin call)", "ACA-Py"),
    ("to_holder", "DIDComm delivery, unpack and store at the holder, webhook", "ACA-Py"),
    ("holder", "Tessera decides (policy), lists candidates, ACA-Py creates and sends", "both"),
    ("to_verifier", "DIDComm delivery to the verifier, unpack and store", "ACA-Py"),
    ("verify", "verifier verifies, stores the result, sends its webhook", "ACA-Py"),
    ("notify", "the waiting controller wakes, with the record from the webhook", "Tessera"),
)
_WANTED = {
    ("holder", "request-received"),
    ("holder", "presentation-sent"),
    ("verifier", "presentation-received"),
    ("verifier", "done"),
}


class StageClock:
    """Collect the moments each agent reports for exchanges, keyed by thread id."""

    def __init__(self, hub, clock=time.perf_counter):
        """Listen on `hub` until `close()`."""
        self.hub = hub
        self.clock = clock
        self._seen = {}
        self._lock = threading.Lock()
        hub.add_listener(self._on_event)

    def close(self):
        """Stop listening."""
        self.hub.remove_listener(self._on_event)

    def _on_event(self, event):
        key = (event.role, event.payload.get("state"))
        thread_id = event.payload.get("thread_id")
        if key in _WANTED and thread_id:
            with self._lock:
                self._seen.setdefault(thread_id, {}).setdefault(key, self.clock())

    def split(self, thread_id, started, sent, finished):
        """Return {stage: ms} for one exchange, given the controller's own moments."""
        with self._lock:
            seen = dict(self._seen.pop(thread_id, {}))
        try:
            moments = [
                started,
                sent,
                seen[("holder", "request-received")],
                seen[("holder", "presentation-sent")],
                seen[("verifier", "presentation-received")],
                seen[("verifier", "done")],
                finished,
            ]
        except KeyError:
            return None
        return {
            name: round((moments[i + 1] - moments[i]) * 1000, 1)
            for i, (name, _, _) in enumerate(STAGES)
        }


def summarize(splits):
    """Return {stage: percentiles} over the exchanges that reported every moment."""
    complete = [s for s in splits if s]
    return {name: percentiles([s[name] for s in complete]) for name, _, _ in STAGES}
