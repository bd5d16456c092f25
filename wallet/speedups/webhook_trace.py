"""A webhook's trace flag is read from the record it was made from, not parsed back.

ACA-Py 1.7.0's outbound queue calls `trace_event` as each webhook's delivery starts
and ends, tracing on or off. `tracing_enabled` then finds the word "trace" in the
payload, a string by then (every exchange record has a `trace` field), and runs
`json.loads` on the whole of it to read that one top-level key: twice per webhook,
on records carrying a presentation or a credential. The verifier's event loop spent
about 6% of its time there in the bench's proofs.

`install()` wraps `OutboundTransportManager.enqueue_webhook` so that the payload
string it queues is a `WebhookPayload`: the same string, carrying the top-level
`trace` value of the dict it was dumped from. It wraps `tracing_enabled` so that for
such a string it answers from that value, in the same order of checks as ACA-Py's
own, and never parses. A dict's top-level "trace" keeps its truth through
`json.dumps` then `json.loads`, so every answer is ACA-Py's. Anything else (an
unmarked string, a message, a record) goes to ACA-Py's function unchanged.

Unnecessary once ACA-Py decides tracing before serializing webhook payloads, or
keeps the payload as a dict until delivery (upstream `utils/tracing.py`,
`tracing_enabled`, and `transport/outbound/manager.py`, `enqueue_webhook`).
"""

import functools

from acapy_agent.transport.outbound.manager import OutboundTransportManager
from acapy_agent.utils import tracing

from .unwrap import acapy_original


class WebhookPayload(str):
    """A webhook payload string that knows its top-level `trace` value."""

    __slots__ = ("trace",)

    def __new__(cls, text, trace):
        """Return `text` marked with the `trace` value of the dict it was dumped from."""
        payload = super().__new__(cls, text)
        payload.trace = trace
        return payload


def enabled_for(context, payload):
    """ACA-Py's `tracing_enabled` for a marked webhook payload, without parsing it."""
    if context.get("trace.enabled"):
        return True
    if "~trace" in payload:
        return True
    if "trace" in payload:
        return payload.trace
    return False


def mark(queued, payload):
    """Mark the payload string of a just-queued webhook with its dict's trace value."""
    text = queued.payload
    if isinstance(payload, dict) and type(text) is str:
        queued.payload = WebhookPayload(text, payload.get("trace"))


def install() -> None:
    """Wrap `enqueue_webhook` and `tracing_enabled` (never stacking)."""
    enqueue_original = acapy_original(OutboundTransportManager, "enqueue_webhook")
    enabled_original = acapy_original(tracing, "tracing_enabled")

    @functools.wraps(enqueue_original)
    def enqueue_webhook(self, topic, payload, endpoint, max_attempts=None, metadata=None):
        queued_before = len(self.outbound_new)
        enqueue_original(self, topic, payload, endpoint, max_attempts, metadata)
        # ACA-Py appends the webhook and only schedules delivery: it is the last one.
        if len(self.outbound_new) == queued_before + 1:
            mark(self.outbound_new[-1], payload)

    @functools.wraps(enabled_original)
    def tracing_enabled(context, message):
        if type(message) is WebhookPayload:
            return enabled_for(context, message)
        return enabled_original(context, message)

    OutboundTransportManager.enqueue_webhook = enqueue_webhook
    tracing.tracing_enabled = tracing_enabled
