"""Admin routes of the terms protocol: send a message, list messages sent and received.

POST /tessera-terms/send       {connection_id, kind, body, thread_id?, unchecked?}
GET  /tessera-terms/messages   ?connection_id&thread_id&kind&direction&status&receipt_id&delivery
POST /tessera-terms/redeliver  {connection_id?, after_seconds?}: resend what awaits an ack
"""

import datetime

from acapy_agent.admin.decorators.auth import tenant_authentication
from acapy_agent.admin.request_context import AdminRequestContext
from acapy_agent.connections.models.conn_record import ConnRecord
from acapy_agent.storage.error import StorageNotFoundError
from aiohttp import web

from ...errors import InputError
from ..validation import KINDS, check, check_kind
from . import outbox, problems, records
from .messages import BY_KIND

FILTERS = (
    "connection_id",
    "thread_id",
    "kind",
    "direction",
    "status",
    "receipt_id",
    "delivery",
)
MAX_AFTER = 86400


def _bad(reason):
    return web.json_response({"reason": reason}, status=400)


@tenant_authentication
async def send_message(request: web.BaseRequest):
    """Send one terms message over a connection and store it as sent.

    `unchecked: true` skips the local checks (to test how the other side refuses).
    """
    context: AdminRequestContext = request["context"]
    try:
        params = await request.json()
        kind = check_kind(params.get("kind"))
        body = params.get("body")
        if not params.get("unchecked"):
            check(kind, body)
    except (InputError, ValueError, AttributeError) as exc:
        return _bad(str(exc))
    connection_id = params.get("connection_id") or ""
    try:
        async with context.profile.session() as session:
            connection = await ConnRecord.retrieve_by_id(session, connection_id)
    except StorageNotFoundError:
        return web.json_response({"reason": f"No connection {connection_id}."}, status=404)
    if not connection.is_ready:
        return _bad(f"Connection {connection_id} is not active yet.")
    if not isinstance(body, dict):
        return _bad("The message body must be a JSON object.")
    message = BY_KIND[kind](**{k: body[k] for k in KINDS[kind] if k in body})
    if params.get("thread_id"):
        message.assign_thread_id(params["thread_id"])
    record = records.new_record(
        kind=kind,
        direction="sent",
        connection_id=connection_id,
        thread_id=message._thread_id,
        message_id=message._id,
        body=body,
    )
    if kind == "ack":
        return _bad("Acks are sent by the plugin itself.")
    record = outbox.mark_sent(record, outbox.now_utc())
    async with context.profile.session() as session:
        await records.save(session, record)
    await request["outbound_message_router"](message, connection_id=connection_id)
    return web.json_response(record)


@tenant_authentication
async def redeliver(request: web.BaseRequest):
    """Resend the messages still awaiting an ack (on one connection, or all)."""
    context: AdminRequestContext = request["context"]
    try:
        params = await request.json() if request.can_read_body else {}
        after = params.get("after_seconds", 0)
        if (
            isinstance(after, bool)
            or not isinstance(after, int | float)
            or not (0 <= after <= MAX_AFTER)
        ):
            raise ValueError(f"after_seconds must be a number from 0 to {MAX_AFTER}.")
        connection_id = params.get("connection_id") or None
        if connection_id is not None and not isinstance(connection_id, str):
            raise ValueError("connection_id must be text.")
    except (ValueError, AttributeError) as exc:
        return _bad(str(exc))
    resent = await outbox.redeliver(
        context.profile,
        _Router(request["outbound_message_router"]),
        outbox.now_utc(),
        datetime.timedelta(seconds=after),
        connection_id,
    )
    return web.json_response({"resent": [r["message_id"] for r in resent]})


class _Router:
    """The admin request's outbound router, seen as a responder's `send`."""

    def __init__(self, route):
        self.route = route

    async def send(self, message, connection_id):
        await self.route(message, connection_id=connection_id)


@tenant_authentication
async def list_messages(request: web.BaseRequest):
    """List stored terms messages, oldest first, filtered by tags."""
    context: AdminRequestContext = request["context"]
    filters = {k: request.query[k] for k in FILTERS if request.query.get(k)}
    async with context.profile.session() as session:
        found = await records.find(session, **filters)
    return web.json_response({"results": found})


async def register(app: web.Application):
    """Register the terms routes."""
    app.add_routes(
        [
            web.post("/tessera-terms/send", send_message),
            web.get("/tessera-terms/messages", list_messages, allow_head=False),
            web.post("/tessera-terms/redeliver", redeliver),
        ]
    )


def register_events(event_bus):
    """Listen to problem reports about our terms messages; run the outbox's resend timer."""
    problems.register(event_bus)
    outbox.register(event_bus)
