"""Where the time of one exchange goes, read from the agents' own webhooks.

Every webhook carries the exchange's thread id, so the moments each agent reports
a state can be lined up with the controller's clock. A stage table names, in order,
the moment each stage ends: the controller's "sent" (its admin call answered), an
agent's (role, state) webhook, the first of several (`FirstOf`), or the controller's
"finished".
"""

import threading
import time
from dataclasses import dataclass

from .measure import percentiles

SENT, FINISHED = "sent", "finished"


@dataclass(frozen=True)
class FirstOf:
    """A stage end: whichever of these (role, state) webhooks comes first."""

    moments: tuple


# (stage, what happens in it, who owns it, the moment it ends)
NOTIFY = (
    "notify",
    "the waiting controller wakes, with the record from the webhook",
    "Tessera",
    FINISHED,
)
STAGES = (
    ("send_request", "verifier builds and sends the request (admin call)", "ACA-Py", SENT),
    (
        "to_holder",
        "DIDComm delivery, unpack and store at the holder, webhook",
        "ACA-Py",
        ("holder", "request-received"),
    ),
    (
        "holder",
        "Tessera decides (policy), lists candidates, ACA-Py creates and sends",
        "both",
        # A holder promised no ack saves its record as done, never as presentation-sent.
        FirstOf((("holder", "presentation-sent"), ("holder", "done"))),
    ),
    (
        "to_verifier",
        "DIDComm delivery to the verifier, unpack and store",
        "ACA-Py",
        ("verifier", "presentation-received"),
    ),
    (
        "verify",
        "verifier verifies, stores the result, sends its webhook",
        "ACA-Py",
        ("verifier", "done"),
    ),
    NOTIFY,
)

ISSUE_STAGES = (
    (
        "send_offer",
        "issuer builds, stores and sends the offer (admin call)",
        "ACA-Py",
        ("issuer", "offer-sent"),
    ),
    (
        "to_holder",
        "DIDComm delivery, unpack and store at the holder, webhook",
        "ACA-Py",
        ("holder", "offer-received"),
    ),
    (
        "request",
        "Tessera accepts; the holder creates and sends its credential request",
        "both",
        ("holder", "request-sent"),
    ),
    (
        "to_issuer",
        "DIDComm delivery to the issuer, unpack and store",
        "ACA-Py",
        ("issuer", "request-received"),
    ),
    (
        "issue",
        "issuer creates the credential (auto-respond), stores and sends it",
        "ACA-Py",
        ("issuer", "credential-issued"),
    ),
    (
        "to_holder_cred",
        "DIDComm delivery of the credential to the holder",
        "ACA-Py",
        ("holder", "credential-received"),
    ),
    (
        "store",
        "holder processes and stores the credential, sends its ack",
        "ACA-Py",
        ("holder", "done"),
    ),
    ("ack", "the ack reaches the issuer, which records it", "ACA-Py", ("issuer", "done")),
    NOTIFY,
)


class StageClock:
    """Collect the moments each agent reports for exchanges, keyed by thread id."""

    def __init__(self, hub, stages=STAGES, clock=time.perf_counter):
        """Listen on `hub` until `close()` for the agent moments `stages` names."""
        self.hub = hub
        self.stages = stages
        self.clock = clock
        self._wanted = set()
        for *_, end in stages:
            if isinstance(end, FirstOf):
                self._wanted.update(end.moments)
            elif isinstance(end, tuple):
                self._wanted.add(end)
        self._seen = {}
        self._lock = threading.Lock()
        hub.add_listener(self._on_event)

    def close(self):
        """Stop listening."""
        self.hub.remove_listener(self._on_event)

    def _on_event(self, event):
        key = (event.role, event.payload.get("state"))
        thread_id = event.payload.get("thread_id")
        if key in self._wanted and thread_id:
            with self._lock:
                self._seen.setdefault(thread_id, {}).setdefault(key, self.clock())

    def split(self, thread_id, started, sent, finished):
        """Return {stage: ms} for one exchange, given the controller's own moments."""
        with self._lock:
            seen = dict(self._seen.pop(thread_id, {}))
        return self._split(seen, started, sent, finished)

    def split_only(self, started, finished):
        """Return {stage: ms} for the one exchange seen since the last split (or None)."""
        with self._lock:
            threads, self._seen = self._seen, {}
        if len(threads) != 1:
            return None
        (seen,) = threads.values()
        return self._split(seen, started, None, finished)

    def _split(self, seen, started, sent, finished):
        own = {SENT: sent, FINISHED: finished}

        def moment(end):
            if isinstance(end, FirstOf):
                return min(seen[m] for m in end.moments if m in seen)  # none: ValueError
            return own[end] if end in own else seen[end]

        try:
            moments = [started, *(moment(end) for *_, end in self.stages)]
        except (KeyError, ValueError):
            return None
        return {
            name: round((moments[i + 1] - moments[i]) * 1000, 1)
            for i, (name, _, _, _) in enumerate(self.stages)
        }


def summarize(splits, stages=STAGES):
    """Return {stage: percentiles} over the exchanges that reported every moment."""
    complete = [s for s in splits if s]
    return {name: percentiles([s[name] for s in complete]) for name, _, _, _ in stages}
