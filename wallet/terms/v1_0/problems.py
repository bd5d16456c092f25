"""Problem reports about terms messages we sent: "this party does not use Tessera terms".

An agent without the terms plugin (Credo, stock ACA-Py) answers a terms message with a
problem report (`notification/1.0/problem-report`, code `message-parse-failure`) that
refers to it by thread (`thid`, ACA-Py) or parent thread (`pthid`, Credo). ACA-Py's own
handler only emits `acapy::problem_report`; this module listens to that event, finds the
terms message the report is about among those sent, and stores one `problem-report`
record on that message's connection and thread, so both sides can show that the other
party does not use Tessera terms and go on without them.

The report is a stranger's message: only its thread ids, code and English text are
read, each checked and cut short. The event carries no connection, so a report counts
only when it names the id of a terms message this agent sent (random, known only to
that message's recipient), and only the first report about each message is kept.
"""

import logging
import re

from acapy_agent.core.event_bus import Event, EventBus

from . import outbox, records
from .handlers import WEBHOOK_TOPIC

LOG = logging.getLogger(__name__)
EVENT = re.compile("^acapy::problem_report$")
KIND = "problem-report"
NOT_SUPPORTED_CODES = ("message-parse-failure",)
MAX_ID = 128
MAX_TEXT = 300


def _text(value, limit):
    """Return `value` if it is text, cut to `limit` characters; otherwise ""."""
    return value[:limit] if isinstance(value, str) else ""


def referred_ids(report):
    """Return the thread and parent-thread ids a problem report names (checked text only)."""
    thread = report.get("~thread") if isinstance(report, dict) else None
    if not isinstance(thread, dict):
        return []
    found = []
    for key in ("pthid", "thid"):
        value = thread.get(key)
        if isinstance(value, str) and 0 < len(value) <= MAX_ID and value not in found:
            found.append(value)
    return found


def summary(report, refused):
    """Return the body of the record kept for a report about the sent record `refused`."""
    description = report.get("description") if isinstance(report, dict) else None
    description = description if isinstance(description, dict) else {}
    code = _text(description.get("code"), MAX_ID)
    return {
        "refers_to": refused["message_id"],
        "refused_kind": refused["kind"],
        "code": code,
        "explain": _text(description.get("en"), MAX_TEXT),
        "not_supported": code in NOT_SUPPORTED_CODES,
    }


async def _refused_message(session, ids):
    """Return the sent terms record a report's ids name (by message id, then thread), or None."""
    for ref in ids:
        found = await records.find(session, direction="sent", message_id=ref)
        if found:
            return found[-1]
    for ref in ids:
        found = await records.find(session, direction="sent", thread_id=ref)
        if found:
            return found[-1]
    return None


async def on_problem_report(profile, event: Event):
    """Keep a `problem-report` record when a report refers to a terms message we sent."""
    report = event.payload
    ids = referred_ids(report)
    if not ids:
        return
    async with profile.session() as session:
        refused = await _refused_message(session, ids)
        if refused is None:
            return
        if refused.get("delivery") == outbox.PENDING:  # the party cannot read it: stop resending
            await records.update(session, {**refused, "delivery": outbox.REFUSED})
        kept = await records.find(session, connection_id=refused["connection_id"], kind=KIND)
        if any(r["body"].get("refers_to") == refused["message_id"] for r in kept):
            return
        record = records.new_record(
            kind=KIND,
            direction="received",
            connection_id=refused["connection_id"],
            thread_id=refused["thread_id"],
            message_id=_text(report.get("@id"), MAX_ID),
            body=summary(report, refused),
        )
        await records.save(session, record)
    LOG.warning(
        "The other party refused a terms %s message: %s",
        refused["kind"],
        record["body"]["explain"] or record["body"]["code"] or "no reason given",
    )
    await profile.notify(WEBHOOK_TOPIC, record)


def register(event_bus: EventBus):
    """Listen to the problem reports ACA-Py receives."""
    event_bus.subscribe(EVENT, on_problem_report)
