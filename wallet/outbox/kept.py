"""Messages the agent sends, kept in its own storage until delivered.

ACA-Py saves an exchange's new state (`request-sent`, `presentation-sent`) and then puts
the message in an in-memory queue, which gives up after a few retries. A `kill -9`
before delivery, or a recipient down longer than the retries, loses the message while
both records say it was sent (issue 15's crash suite lost a credential request and a
presentation this way). Here each DIDComm message is encrypted for its recipient and
written to the agent's storage before ACA-Py queues it, removed once delivered, and
delivered again by a redrive loop: at start, and every `REDRIVE_S` for what is neither
delivered nor in the queue. A message delivered just before a kill that had no time to
be removed goes again; the person's agent refuses it by message id (`wallet.inbound`),
a firm's agent as a message out of order.

Unnecessary once ACA-Py's outbound queue is persistent (upstream
`transport/outbound/manager.py`).
"""

import asyncio
import base64
import functools
import json
import logging
import time
import uuid

from acapy_agent.connections.models.connection_target import ConnectionTarget
from acapy_agent.transport.outbound.manager import (
    OutboundDeliveryError,
    OutboundTransportManager,
)
from acapy_agent.transport.outbound.message import OutboundMessage

LOG = logging.getLogger("tessera.outbox")
CATEGORY = "tessera_outbox"
KEY = "tessera_outbox_key"  # attribute naming a message's stored copy
REDRIVE_S = 30.0
GIVE_UP_S = 7 * 24 * 3600.0  # a recipient gone for a week: the message is dropped, logged


def _target(manager, outbound):
    """Return the target ACA-Py would queue for, or None (ACA-Py then does as it does)."""
    targets = [outbound.target] if outbound.target else (outbound.target_list or [])
    for target in targets:
        try:
            transport_id = manager.get_running_transport_for_endpoint(target.endpoint)
        except OutboundDeliveryError:
            continue
        if not manager.get_transport_instance(transport_id).is_external:
            return target
    return None


async def _put(profile, key, endpoint, payload):
    body = {
        "endpoint": endpoint,
        "payload": base64.b64encode(
            payload if isinstance(payload, bytes) else payload.encode()
        ).decode(),
        "created": time.time(),
    }
    async with profile.session() as session:
        await session.handle.insert(CATEGORY, key, json.dumps(body))


async def _remove(profile, key):
    """Remove a stored copy; return False when it could not be (storage closing, gone)."""
    try:
        async with profile.session() as session:
            await session.handle.remove(CATEGORY, key)
    except Exception as exc:  # already gone, or storage closing
        LOG.debug("outbox: could not remove %s: %s", key, exc)
        return False
    return True


async def _kept(profile):
    async with profile.session() as session:
        rows = await session.handle.fetch_all(CATEGORY)
    return [(row.name, json.loads(row.value)) for row in rows]


class Outbox:
    """The stored copies of one agent's messages, and which of them are in ACA-Py's queue."""

    def __init__(self, manager):
        """Keep the messages of `manager` (ACA-Py's OutboundTransportManager)."""
        self.manager = manager
        self.queued = set()  # keys in ACA-Py's queue now
        self.task = None
        self.removals = set()  # removal tasks running (kept referenced until done)

    async def keep(self, enqueue, profile, outbound):
        """Encrypt, store, then queue `outbound`; queue it as ACA-Py would if it cannot."""
        target = _target(self.manager, outbound)
        if target is None or outbound.enc_payload or outbound.to_session_only:
            return await enqueue(self.manager, profile, outbound)
        try:
            encoded = await self.manager.encode_outbound_message(profile, outbound, target)
        except Exception as exc:  # ACA-Py's queue reports a message it cannot seal, as before
            LOG.warning("outbox: cannot seal a message for %s: %s", target.endpoint, exc)
            return await enqueue(self.manager, profile, outbound)
        key = uuid.uuid4().hex
        self.queued.add(key)  # before it is stored: a redrive must never take it as forgotten
        try:
            await _put(self.manager.root_profile, key, target.endpoint, encoded.payload)
        except Exception as exc:  # storage refused: send as ACA-Py would
            LOG.warning("outbox: could not keep a message for %s: %s", target.endpoint, exc)
            self.queued.discard(key)
            key = None
        outbound.enc_payload = encoded.payload
        outbound.target, outbound.target_list = target, []
        setattr(outbound, KEY, key)
        return await enqueue(self.manager, profile, outbound)

    def delivered(self, queued, completed):
        """After ACA-Py's delivery callback: drop the stored copy, or leave it to redrive."""
        key = getattr(queued.message, KEY, None) if queued.message is not None else None
        if key is None:
            return
        if not completed.exc_info:  # queued until its copy is gone: a redrive never resends it
            removal = asyncio.ensure_future(self._forget(key))
            self.removals.add(removal)
            removal.add_done_callback(self.removals.discard)
        elif queued.state == queued.STATE_DONE:  # ACA-Py gave up: redrive will try again
            self.queued.discard(key)

    async def _forget(self, key):
        """Remove a delivered message's copy; while it stays (removal failed), never resend."""
        if await _remove(self.manager.root_profile, key):
            self.queued.discard(key)

    async def redrive(self):
        """Queue again every stored message neither delivered nor queued; return how many."""
        profile, sent = self.manager.root_profile, 0
        for key, body in await _kept(profile):
            if key in self.queued:
                continue
            if time.time() - body.get("created", 0) > GIVE_UP_S:
                LOG.warning("outbox: %s unreachable for a week; message dropped", body["endpoint"])
                await _remove(profile, key)
                continue
            outbound = OutboundMessage(
                payload="",
                enc_payload=base64.b64decode(body["payload"]),
                target=ConnectionTarget(endpoint=body["endpoint"]),
            )
            setattr(outbound, KEY, key)
            self.queued.add(key)
            try:
                await ORIGINAL["enqueue_message"](self.manager, profile, outbound)
            except OutboundDeliveryError as exc:  # transports not running yet
                self.queued.discard(key)
                LOG.info("outbox: cannot send to %s yet: %s", body["endpoint"], exc)
                continue
            sent += 1
        if sent:
            LOG.info("outbox: sent %d kept message(s) again", sent)
        return sent

    async def run(self, every=REDRIVE_S, first=1.0):
        """Redrive `first` seconds after start (transports are up), then every `every`."""
        wait = first
        while True:
            await asyncio.sleep(wait)
            wait = every
            try:
                await self.redrive()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # storage closing or busy: next round
                LOG.warning("outbox: redrive failed: %s", exc)


ORIGINAL = {}


def _outbox(manager):
    found = getattr(manager, "tessera_outbox", None)
    if found is None:
        found = manager.tessera_outbox = Outbox(manager)
    return found


def install():
    """Wrap ACA-Py's outbound queue (idempotent)."""
    if ORIGINAL:
        return
    for name in ("enqueue_message", "finished_deliver", "start", "stop"):
        ORIGINAL[name] = OutboundTransportManager.__dict__[name]

    @functools.wraps(ORIGINAL["enqueue_message"])
    async def enqueue_message(self, profile, outbound):
        return await _outbox(self).keep(ORIGINAL["enqueue_message"], profile, outbound)

    @functools.wraps(ORIGINAL["finished_deliver"])
    def finished_deliver(self, queued, completed):
        result = ORIGINAL["finished_deliver"](self, queued, completed)
        _outbox(self).delivered(queued, completed)
        return result

    @functools.wraps(ORIGINAL["start"])
    async def start(self):
        await ORIGINAL["start"](self)
        outbox = _outbox(self)
        outbox.task = asyncio.ensure_future(outbox.run())

    @functools.wraps(ORIGINAL["stop"])
    async def stop(self, wait=True):
        outbox = _outbox(self)
        if outbox.task is not None:
            outbox.task.cancel()
        return await ORIGINAL["stop"](self, wait)

    OutboundTransportManager.enqueue_message = enqueue_message
    OutboundTransportManager.finished_deliver = finished_deliver
    OutboundTransportManager.start = start
    OutboundTransportManager.stop = stop
