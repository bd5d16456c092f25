"""The holder's HTTP inbound transport: it answers once the message has been *processed*.

ACA-Py's own `HttpTransport` answers 200 as soon as a message is queued for its handler,
so a sender (the inbox) that forgets the message on that 200 loses it if the agent dies
next. This transport differs from it only in what it waits for and what it refuses:

- it unpacks the envelope in a session it closes (ACA-Py 1.7 leaves that session to the
  garbage collector), refuses a body nested too deep or anything not encrypted to one of
  the agent's keys (400: plaintext and undecryptable bodies never reach a handler);
- it lets the replay guard (`seen.py`) refuse a message already processed;
- it answers only once the handler ran (ACA-Py's own completion event), echoing the
  inbox's `X-Tessera-Delivery` id with the outcome (see `wallet/inbox/ack.py`).

ACA-Py loads it by module path (`wallet.inbound.transport`) and takes the first subclass
of `BaseInboundTransport` it finds here, so this module names no other transport class.
"""

import functools
import logging

from acapy_agent.messaging.error import MessageParseError
from acapy_agent.transport.error import WireFormatParseError
from acapy_agent.transport.inbound import http as acapy_http
from acapy_agent.transport.inbound.manager import InboundTransportManager
from acapy_agent.transport.inbound.message import InboundMessage
from aiohttp import web

from ..inbox import jsonsafe
from ..inbox.ack import DELIVERED_HEADER, DELIVERY_HEADER, OUTCOME_HEADER, PROCESSED, delivery_id
from .runtime import Runtime
from .seen import describe, message_key

LOG = logging.getLogger("tessera.inbound")
MODULE = __name__
MAX_DEPTH = 32
_FAILED = "_tessera_handler_failed"


class ProcessedHttpTransport(acapy_http.HttpTransport):
    """ACA-Py's HTTP inbound transport, answering after the handler ran."""

    async def start(self):
        """Listen, then tell the plugin the agent can take deliveries."""
        await super().start()
        runtime = self.root_profile and self.root_profile.inject_or(Runtime)
        if runtime is not None:
            runtime.listening.set()

    async def inbound_message_handler(self, request: web.BaseRequest):
        """Unpack, refuse replays, dispatch, and answer once the handler has run."""
        delivery = delivery_id(request.headers.get(DELIVERY_HEADER))
        body = await request.read()
        try:
            jsonsafe.check_depth(body, MAX_DEPTH, "The message")
        except jsonsafe.TooDeep as exc:
            raise web.HTTPBadRequest(reason=str(exc)) from None
        session = await self.create_session(
            accept_undelivered=True,
            can_respond=True,
            client_info={"host": request.host, "remote": request.remote},
        )
        async with session:
            message = await _unpack(session, body)
            runtime = session.profile.inject(Runtime)
            key = message_key(
                message.payload, message.receipt.sender_verkey, message.receipt.recipient_verkey
            )
            try:
                outcome = await runtime.seen.handle(
                    session.profile,
                    key,
                    functools.partial(_dispatch, session, message),
                    describe(message.payload),
                )
            except Exception as exc:
                LOG.exception("inbound: could not record or handle %s", describe(message.payload))
                raise web.HTTPServiceUnavailable(reason="The message was not processed.") from exc
            headers = {OUTCOME_HEADER: outcome}
            if delivery:
                headers[DELIVERED_HEADER] = delivery
            response = None
            if outcome == PROCESSED and message.receipt.direct_response_requested:
                response = await session.wait_response() if session.response_buffer else None
                session.can_respond = False
                session.clear_response()
            return _answer(session, response, headers)


async def _unpack(session, body):
    """Return the `InboundMessage` of an envelope encrypted to this agent, or raise 400."""
    try:
        async with session.profile.session() as store_session:
            payload, receipt = await session.wire_format.parse_message(store_session, body)
    except (MessageParseError, WireFormatParseError) as exc:
        raise web.HTTPBadRequest(reason=str(exc)) from None
    except RecursionError:
        raise web.HTTPBadRequest(reason="The message nests too deeply.") from None
    if not receipt.recipient_verkey:
        raise web.HTTPBadRequest(
            reason="Not an envelope encrypted to this agent; plaintext messages are refused."
        )
    return InboundMessage(
        payload, receipt, session_id=session.session_id, transport_type=session.transport_type
    )


async def _dispatch(session, message):
    """Hand the message to ACA-Py's dispatcher; return True once its handler succeeded."""
    session.receive_inbound(message)
    await message.wait_processing_complete()
    return not getattr(message, _FAILED, False)


def _answer(session, response, headers):
    if response is None:
        return web.Response(status=200, headers=headers)
    if isinstance(response, bytes):
        content_type = (
            acapy_http.DIDCOMM_V1_MIME_TYPE
            if session.profile.settings.get("emit_new_didcomm_mime_type")
            else acapy_http.DIDCOMM_V0_MIME_TYPE
        )
        return web.Response(body=response, headers={**headers, "Content-Type": content_type})
    return web.Response(text=response, headers={**headers, "Content-Type": "application/json"})


def install_failure_marks():
    """Make ACA-Py note on the message whether its handler raised (idempotent)."""
    current = InboundTransportManager.dispatch_complete
    original = getattr(current, "__wrapped__", current)

    @functools.wraps(original)
    def dispatch_complete(self, message, completed):
        setattr(message, _FAILED, bool(completed.exc_info))
        return original(self, message, completed)

    InboundTransportManager.dispatch_complete = dispatch_complete


def use_for_http(settings):
    """Serve every `http` inbound transport of `settings` with this module (at setup)."""
    configs = settings.get("transport.inbound_configs") or []
    replaced = [[MODULE if c[0] == "http" else c[0], *c[1:]] for c in configs]
    settings.set_value("transport.inbound_configs", replaced)
    return replaced
