"""Admin routes of the terms protocol: send a message, list messages sent and received.

POST /tessera-terms/send      {connection_id, kind, body, thread_id?, unchecked?}
GET  /tessera-terms/messages  ?connection_id&thread_id&kind&direction&status&receipt_id
"""

from acapy_agent.admin.decorators.auth import tenant_authentication
from acapy_agent.admin.request_context import AdminRequestContext
from acapy_agent.connections.models.conn_record import ConnRecord
from acapy_agent.storage.error import StorageNotFoundError
from aiohttp import web

from ...errors import InputError
from ..validation import KINDS, check, check_kind
from . import problems, records
from .messages import BY_KIND

FILTERS = ("connection_id", "thread_id", "kind", "direction", "status", "receipt_id")


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
    async with context.profile.session() as session:
        await records.save(session, record)
    await request["outbound_message_router"](message, connection_id=connection_id)
    return web.json_response(record)


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
        ]
    )


def register_events(event_bus):
    """Listen to problem reports about the terms messages this agent sent."""
    problems.register(event_bus)
