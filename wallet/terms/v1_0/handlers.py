"""The one handler of the terms protocol: check, record, and tell the controller."""

import asyncio

from acapy_agent.messaging.base_handler import BaseHandler, BaseResponder, HandlerException
from acapy_agent.messaging.request_context import RequestContext

from ...errors import InputError
from ..validation import check, check_related
from . import outbox, records

WEBHOOK_TOPIC = "acapy::webhook::tessera_terms"
# Inbound messages are handled concurrently: two copies of one message must not both
# pass the "recorded before?" check.
_RECORDING = asyncio.Lock()


async def _related_check(session, connection_id, kind, body):
    """Check a message against the receipts held on this connection."""
    receipt_id = body.get("receipt_id")
    if kind == "settlement" or kind == "erasure-ack":
        receipt = await records.receipt_held(
            session, connection_id, receipt_id, "countersigned", "received"
        )
        check_related(kind, body, receipt)
    elif kind == "erasure-request":
        receipt = await records.receipt_held(
            session, connection_id, receipt_id, "countersigned", "sent"
        )
        check_related(kind, body, receipt)
    elif kind == "countersigned":
        sent = await records.receipt_held(
            session, connection_id, body["receipt"].get("receipt_id"), "receipt", "sent"
        )
        check_related(kind, body, None, sent_receipt=sent)
    else:
        check_related(kind, body, None)


class TermsHandler(BaseHandler):
    """Check an incoming terms message, store it (accepted or rejected), emit a webhook."""

    async def handle(self, context: RequestContext, responder: BaseResponder):
        """Record the message with the reason it was refused, if it was."""
        if not context.connection_ready:
            raise HandlerException("Terms messages need an established connection.")
        message = context.message
        connection_id = context.connection_record.connection_id
        now = outbox.now_utc()
        if message.KIND == "ack":
            await self._on_ack(context, connection_id, now)
        else:
            record = await self._record(context, connection_id)
            if outbox.wants_ack(message.KIND):
                await responder.send_reply(outbox.ack_for(message))
            if record is not None:
                await context.profile.notify(WEBHOOK_TOPIC, record)
        # The peer is up again: what waits for it goes now, not at the next timer tick.
        await outbox.redeliver(
            context.profile, responder, now, outbox.RECONNECT_AFTER, connection_id
        )

    async def _on_ack(self, context, connection_id, now):
        body = context.message.body
        try:
            check("ack", body)
        except InputError as exc:
            self._logger.warning("Refused a terms ack: %s", exc)
            return
        async with context.profile.session() as session:
            await outbox.mark_acked(session, connection_id, body["acks"], now)

    async def _record(self, context, connection_id):
        """Record the message once (a copy already recorded returns None)."""
        message = context.message
        body = message.body
        reason = ""
        async with _RECORDING, context.profile.session() as session:
            if await outbox.received_before(session, connection_id, message._id):
                self._logger.info("Terms %s %s arrived again", message.KIND, message._id)
                return None
            try:
                check(message.KIND, body)
                await _related_check(session, connection_id, message.KIND, body)
            except (InputError, KeyError, TypeError, AttributeError) as exc:
                reason = str(exc) if isinstance(exc, InputError) else f"malformed: {exc!r}"
            record = records.new_record(
                kind=message.KIND,
                direction="received",
                connection_id=connection_id,
                thread_id=message._thread_id,
                message_id=message._id,
                body=body,
                reason=reason,
            )
            await records.save(session, record)
        if reason:
            self._logger.warning("Refused a terms %s message: %s", message.KIND, reason)
        return record
