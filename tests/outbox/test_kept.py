"""wallet.outbox: a message is stored before ACA-Py queues it, removed once delivered, and
queued again by the redrive while neither (tables, ACA-Py's queue and storage faked)."""

import asyncio
import base64
import hashlib
import inspect
import json
import time
from types import SimpleNamespace

import pytest
from acapy_agent.transport.outbound.manager import (
    OutboundDeliveryError,
    OutboundTransportManager,
    QueuedOutboundMessage,
)
from acapy_agent.transport.outbound.message import OutboundMessage

from wallet.outbox import kept

# The ACA-Py functions wrapped or relied on; a failing pin: re-read them, then update.
PINS = {
    "enqueue_message": "e184b204a760e322ac79c20b374ee93da03a48f1d588b83c4cc27c6139e4b644",
    "finished_deliver": "108384057259f582c3a9866c59c6607f27b91e7b43d3981a71b689669f71aa4a",
    "start": "f7ab37aee2a4d3a3cd0ed46a97dd35dac4ef87126dc48da0b28e1e62aa90ac98",
    "stop": "b09283cb02457de68b0de96d3e26c55924d0a35f1aafb5e4e4d84f3abeef16d8",
    "encode_outbound_message": "dbb8a044757358239112e8aaf85dccad162798cc220919d744fd79ddd4f7894f",
}


@pytest.mark.parametrize(("name", "digest"), PINS.items())
def test_acapy_outbound_queue_is_the_one_wrapped(name, digest):
    source = inspect.getsource(inspect.unwrap(OutboundTransportManager.__dict__[name]))
    assert hashlib.sha256(source.encode()).hexdigest() == digest


class Storage:
    """An agent's storage category, as Askar's session handle offers it."""

    def __init__(self, refuse=False, keep=False):
        self.rows, self.refuse, self.keep = {}, refuse, keep
        self.on_insert = lambda name: None

    async def insert(self, category, name, value):
        self.on_insert(name)
        if self.refuse:
            raise RuntimeError("storage refused")
        self.rows[name] = value

    async def remove(self, category, name):
        if self.keep:
            raise RuntimeError("storage closing")
        del self.rows[name]

    async def fetch_all(self, category):
        return [SimpleNamespace(name=k, value=v) for k, v in self.rows.items()]


class Session:
    def __init__(self, storage):
        self.handle = storage

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


class Manager:
    """ACA-Py's OutboundTransportManager: a transport for http, encoding, a queue."""

    def __init__(self, storage, down=False):
        self.root_profile = SimpleNamespace(session=lambda: Session(storage))
        self.down = down

    def get_running_transport_for_endpoint(self, endpoint):
        if self.down:
            raise OutboundDeliveryError("No transport driver exists to handle scheme 'http'")
        return "http"

    def get_transport_instance(self, transport_id):
        return SimpleNamespace(is_external=False)

    async def encode_outbound_message(self, profile, outbound, target):
        return SimpleNamespace(payload=b"sealed:" + outbound.payload.encode())


def _outbound():
    target = SimpleNamespace(endpoint="http://firm.localhost:8030")
    return OutboundMessage(payload="hello", target=target)


@pytest.mark.parametrize("refuse", [False, True])
def test_a_message_is_stored_sealed_before_it_is_queued(refuse):
    storage, queued, seen = Storage(refuse), [], []
    outbox = kept.Outbox(Manager(storage))
    storage.on_insert = lambda name: seen.append(name in outbox.queued)

    async def enqueue(manager, profile, outbound):
        queued.append((dict(storage.rows), outbound))

    asyncio.run(outbox.keep(enqueue, None, _outbound()))
    [(stored_then, outbound)] = queued
    assert outbound.enc_payload == b"sealed:hello"  # encoded once, for the stored copy
    if refuse:  # storage refused: sent as ACA-Py would, not kept
        assert stored_then == {} and getattr(outbound, kept.KEY) is None
        return
    [(key, value)] = stored_then.items()
    body = json.loads(value)
    assert base64.b64decode(body["payload"]) == b"sealed:hello"
    assert body["endpoint"] == "http://firm.localhost:8030"
    assert getattr(outbound, kept.KEY) == key and outbox.queued == {key}
    assert seen == [True]  # queued before stored: a redrive meanwhile never resends it


def test_a_message_that_cannot_be_sealed_goes_to_acapy_as_before():
    storage, queued = Storage(), []
    manager = Manager(storage)

    async def refuse(profile, outbound, target):
        raise RuntimeError("no key for the recipient")

    async def enqueue(manager_, profile, outbound):
        queued.append(outbound)

    manager.encode_outbound_message = refuse
    outbound = _outbound()
    asyncio.run(kept.Outbox(manager).keep(enqueue, None, outbound))
    assert queued == [outbound] and outbound.enc_payload is None and storage.rows == {}


def _delivered(outbox, storage, key, error, state):
    message = SimpleNamespace(**{kept.KEY: key})
    queued = SimpleNamespace(message=message, state=state, STATE_DONE="done")
    completed = SimpleNamespace(exc_info=error)

    async def run():
        outbox.delivered(queued, completed)
        await asyncio.gather(*outbox.removals)

    asyncio.run(run())


@pytest.mark.parametrize(
    ("error", "state", "removable", "kept_after", "queued_after"),
    [
        (None, "done", True, False, False),  # delivered: the stored copy goes
        (None, "done", False, True, True),  # its copy cannot go: never resent from here
        ("refused", "retry", True, True, True),  # ACA-Py retries it: still in its queue
        ("refused", "done", True, True, False),  # ACA-Py gave up: left for the redrive
    ],
)
def test_delivery_decides_what_stays(error, state, removable, kept_after, queued_after):
    storage = Storage(keep=not removable)
    storage.rows["k1"] = "{}"
    outbox = kept.Outbox(Manager(storage))
    outbox.queued.add("k1")
    _delivered(outbox, storage, "k1", error, state)
    assert ("k1" in storage.rows) is kept_after
    assert ("k1" in outbox.queued) is queued_after


def _stored(storage, key, age_s):
    storage.rows[key] = json.dumps(
        {
            "endpoint": "http://firm.localhost:8030",
            "payload": base64.b64encode(b"sealed").decode(),
            "created": time.time() - age_s,
        }
    )


@pytest.mark.parametrize(
    ("down", "sent", "queued", "left"),
    [
        (False, ["fresh"], {"in-queue", "fresh"}, {"in-queue", "fresh"}),
        (True, [], {"in-queue"}, {"in-queue", "fresh"}),  # transports not up: next round
    ],
)
def test_redrive_queues_what_is_neither_delivered_nor_queued(monkeypatch, down, sent, queued, left):
    storage, enqueued = Storage(), []
    _stored(storage, "in-queue", 5)
    _stored(storage, "fresh", 60)
    _stored(storage, "a-week-old", kept.GIVE_UP_S + 60)
    manager = Manager(storage, down)

    async def enqueue(manager_, profile, outbound):
        manager_.get_running_transport_for_endpoint(outbound.target.endpoint)
        enqueued.append(getattr(outbound, kept.KEY))
        assert outbound.enc_payload == b"sealed"

    monkeypatch.setitem(kept.ORIGINAL, "enqueue_message", enqueue)
    outbox = kept.Outbox(manager)
    outbox.queued.add("in-queue")
    assert asyncio.run(outbox.redrive()) == len(sent)
    assert enqueued == sent and outbox.queued == queued
    assert set(storage.rows) == left  # the week-old message dropped


def test_queued_outbound_message_still_names_its_done_state():
    assert QueuedOutboundMessage.STATE_DONE == "done"
