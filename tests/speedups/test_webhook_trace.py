"""Webhook payloads are traced as ACA-Py traces them, without parsing them back."""

import inspect
import json

import pytest
from acapy_agent.transport.outbound.manager import OutboundTransportManager
from acapy_agent.utils import tracing

from wallet.speedups.webhook_trace import WebhookPayload, enabled_for

OFF = {"trace.target": "log"}
ON = {"trace.enabled": True, "trace.target": "log"}

# (settings, the webhook's payload dict)
PAYLOADS = [
    (OFF, {"state": "done", "trace": False}),
    (OFF, {"state": "done", "trace": True}),
    (OFF, {"state": "done"}),
    (OFF, {"state": "done", "note": "a word: trace"}),
    (OFF, {"state": "done", "note": "~trace in a value"}),
    (OFF, {"state": "done", "inner": {"trace": True}}),
    (OFF, {"trace": "yes"}),
    (OFF, {"trace": 0}),
    (OFF, {"trace": []}),
    (OFF, {"trace": {"x": 1}}),
    (OFF, {"trace": None}),
    (ON, {"state": "done", "trace": False}),
    (ON, {}),
]


def stock(settings, message):
    """ACA-Py's own answer, installed or not."""
    return inspect.unwrap(tracing.tracing_enabled)(settings, message)


@pytest.mark.parametrize(("settings", "payload"), PAYLOADS)
def test_a_marked_payload_is_answered_as_acapy_answers_it(settings, payload):
    text = json.dumps(payload)
    assert enabled_for(settings, WebhookPayload(text, payload.get("trace"))) == stock(
        settings, text
    )


def test_a_marked_payload_is_the_same_string():
    text = json.dumps({"state": "done", "trace": False})
    marked = WebhookPayload(text, False)
    assert marked == text
    assert json.loads(marked) == json.loads(text)
    assert marked.encode() == text.encode()


class _Manager(OutboundTransportManager):
    """The real queue, with no transport started and delivery never scheduled."""

    def __init__(self):
        self.outbound_new = []
        self.scheduled = 0

    def get_running_transport_for_endpoint(self, endpoint):
        return "http"

    def process_queued(self):
        self.scheduled += 1


@pytest.mark.parametrize(("settings", "payload"), PAYLOADS)
def test_a_queued_webhook_is_traced_without_parsing(speedups, monkeypatch, settings, payload):
    manager = _Manager()
    manager.enqueue_webhook("present_proof_v2_0", payload, "http://127.0.0.1:9/hook")
    (queued,) = manager.outbound_new
    assert manager.scheduled == 1
    assert type(queued.payload) is WebhookPayload
    assert queued.payload == json.dumps(payload)
    assert queued.endpoint == "http://127.0.0.1:9/hook/topic/present_proof_v2_0/"
    expected = stock(settings, json.dumps(payload))

    def parsed(_):
        raise AssertionError("the webhook payload was parsed to decide tracing")

    monkeypatch.setattr(tracing.json, "loads", parsed)
    assert tracing.tracing_enabled(settings, queued.payload) == expected
    # trace_event, which ACA-Py's queue calls, decides through the replaced function.
    if not expected:
        tracing.trace_event(settings, queued.payload, outcome="DELIVER.START")


@pytest.mark.parametrize(
    "message",
    [json.dumps({"trace": True}), json.dumps({"trace": False}), {"~trace": {}}, {"a": 1}, None],
)
def test_anything_unmarked_goes_to_acapy(speedups, message):
    assert tracing.tracing_enabled(OFF, message) == stock(OFF, message)


def test_the_wrapped_functions_are_acapys_installed_once(speedups):
    speedups.install()
    for wrapped in (OutboundTransportManager.enqueue_webhook, tracing.tracing_enabled):
        inner = wrapped.__wrapped__
        assert not hasattr(inner, "__wrapped__")
        assert inner.__module__.startswith("acapy_agent.")
