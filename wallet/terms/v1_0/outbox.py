"""The terms protocol's durable outbox: what must arrive is resent until the peer acks it.

Receipts, countersignatures, settlements, erasure requests and their acknowledgements
are kept as "sent" records in the agent's own (Askar) storage with `delivery: pending`
from the moment they are sent. The receiving plugin records each message once (by its
message id: a copy is recognised and not recorded again) and answers with an `ack`
naming the message id; the ack marks the sent record `acked`. Until then the message
is sent again, with the same id and thread, by a timer in the agent (every
`resend_every` seconds), when the peer is heard from again (any terms message from its
connection), and on `POST /tessera-terms/redeliver`.

ACA-Py's own outbound queue lives in memory and gives up after a few tries; this is
what survives a peer that is down for minutes and an agent that is killed and restarted.
"""

import asyncio
import datetime
import logging
import re

from acapy_agent.core.event_bus import EventBus
from acapy_agent.core.util import SHUTDOWN_EVENT_TOPIC, STARTUP_EVENT_TOPIC
from acapy_agent.messaging.responder import BaseResponder

from ..validation import KINDS
from . import records
from .messages import BY_KIND

LOG = logging.getLogger(__name__)
KINDS_ACKED = ("receipt", "countersigned", "settlement", "erasure-request", "erasure-ack")
PENDING, ACKED, REFUSED = "pending", "acked", "refused"
RESEND_EVERY = 30.0
# A peer heard from again gets what waits for it at once, but not twice within this.
RECONNECT_AFTER = datetime.timedelta(seconds=5)
SETTINGS_KEY = "tessera_terms"


def wants_ack(kind):
    """Return True when a message of `kind` is kept and resent until acknowledged."""
    return kind in KINDS_ACKED


def now_utc():
    """Return the current time (aware, UTC)."""
    return datetime.datetime.now(datetime.UTC)


def stamp(now):
    """Return the stored form of a time."""
    return now.isoformat(timespec="milliseconds")


def mark_sent(record, now):
    """Return a sent record with one more sending counted (and `pending` if it wants an ack)."""
    if not wants_ack(record["kind"]) or record.get("delivery") == ACKED:
        return record
    return {
        **record,
        "delivery": PENDING,
        "attempts": int(record.get("attempts") or 0) + 1,
        "last_sent_at": stamp(now),
    }


def due(pending, now, after):
    """Return the pending records last sent `after` (a timedelta) or longer before `now`."""
    found = []
    for record in pending:
        if record.get("delivery") != PENDING or record.get("direction") != "sent":
            continue
        last = record.get("last_sent_at") or record.get("created_at")
        if datetime.datetime.fromisoformat(last) <= now - after:
            found.append(record)
    return found


def rebuild(record):
    """Return the message of a sent record again: same kind, body, id and thread."""
    kind = record["kind"]
    body = record["body"] if isinstance(record["body"], dict) else {}
    message = BY_KIND[kind](**{k: body[k] for k in KINDS[kind] if k in body})
    message._id = record["message_id"]
    if record.get("thread_id"):
        message.assign_thread_id(record["thread_id"])
    return message


def ack_for(message):
    """Return the `ack` of a received message (on the message's thread)."""
    ack = BY_KIND["ack"](acks=message._id)
    ack.assign_thread_id(message._thread_id)
    return ack


async def received_before(session, connection_id, message_id):
    """Return True when a message with this id from this connection is already recorded."""
    if not message_id:
        return False
    found = await records.find(
        session, connection_id=connection_id, message_id=message_id, direction="received"
    )
    return bool(found)


async def mark_acked(session, connection_id, message_id, now):
    """Mark the sent record an ack names (on the ack's own connection); return it or None."""
    found = await records.find(
        session, connection_id=connection_id, message_id=message_id, direction="sent"
    )
    if not found or found[-1].get("delivery") != PENDING:
        return None
    record = {**found[-1], "delivery": ACKED, "acked_at": stamp(now)}
    return await records.update(session, record)


async def redeliver(profile, responder, now, after, connection_id=None):
    """Send again every pending message last sent `after` or longer ago; return them.

    A connection gone (deleted) leaves its messages pending and logged, not raised.
    """
    async with profile.session() as session:
        pending = await records.find(
            session, direction="sent", delivery=PENDING, connection_id=connection_id
        )
    resent = []
    for record in due(pending, now, after):
        try:
            await responder.send(rebuild(record), connection_id=record["connection_id"])
        except Exception as exc:
            LOG.warning(
                "Could not resend terms %s %s: %r", record["kind"], record["message_id"], exc
            )
            continue
        async with profile.session() as session:
            await records.update(session, mark_sent(record, now))
        resent.append(record)
    if resent:
        LOG.info("Resent %d terms message(s) awaiting acknowledgement", len(resent))
    return resent


def resend_every(profile):
    """Return the timer's period in seconds (plugin config `tessera_terms.resend_every`)."""
    config = (profile.settings.get("plugin_config") or {}).get(SETTINGS_KEY) or {}
    try:
        value = float(config.get("resend_every", RESEND_EVERY))
    except (TypeError, ValueError):
        return RESEND_EVERY
    return value if value > 0 else RESEND_EVERY


class Resender:
    """The agent's resend timer: runs from ACA-Py's startup event to its shutdown event."""

    def __init__(self):
        """Start with no task."""
        self._task = None

    async def on_startup(self, profile, event):
        """Start the timer (it resends once at once: what the last run left pending)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(profile))

    async def on_shutdown(self, profile, event):
        """Stop the timer."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def _run(self, profile):
        every = resend_every(profile)
        while True:
            responder = profile.inject_or(BaseResponder)
            if responder is not None:
                try:
                    await redeliver(
                        profile, responder, now_utc(), datetime.timedelta(seconds=every)
                    )
                except Exception:
                    # A timer task has nobody to raise to: log the traceback and keep going.
                    LOG.exception("Resending terms messages failed")
            await asyncio.sleep(every)


def register(event_bus: EventBus):
    """Run the resend timer while the agent runs."""
    resender = Resender()
    event_bus.subscribe(_exactly(STARTUP_EVENT_TOPIC), resender.on_startup)
    event_bus.subscribe(_exactly(SHUTDOWN_EVENT_TOPIC), resender.on_shutdown)
    return resender


def _exactly(topic):
    return re.compile(f"^{re.escape(topic)}$")
