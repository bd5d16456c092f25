"""The terms protocol's messages: one AgentMessage class per kind, with its schema.

Schemas are loose on purpose (values as raw JSON): a malformed message must reach the
handler so it is recorded with its reason, not dropped by deserialization.
"""

from acapy_agent.messaging.agent_message import AgentMessage, AgentMessageSchema
from marshmallow import EXCLUDE, fields

from ..validation import KINDS
from .message_types import CLASS_NAMES, PROTOCOL_PACKAGE, type_uri

HANDLER = f"{PROTOCOL_PACKAGE}.handlers.TermsHandler"


class TermsMessage(AgentMessage):
    """Base of the terms messages: a kind and a body of the kind's fields."""

    KIND = ""

    def __init__(self, **kwargs):
        """Take the kind's fields out of kwargs; the rest goes to AgentMessage."""
        values = {name: kwargs.pop(name, None) for name in KINDS[self.KIND]}
        super().__init__(**kwargs)
        for name, value in values.items():
            setattr(self, name, value)

    @property
    def body(self):
        """Return the kind's fields as a dict (absent ones left out)."""
        return {n: getattr(self, n) for n in KINDS[self.KIND] if getattr(self, n) is not None}


def _make(kind):
    """Create the message class and its schema for one kind."""
    name = CLASS_NAMES[kind]
    meta = type("Meta", (), {"handler_class": HANDLER, "message_type": type_uri(kind)})
    message = type(name, (TermsMessage,), {"KIND": kind, "Meta": meta, "__module__": __name__})
    schema_fields = {field: fields.Raw(required=False, allow_none=True) for field in KINDS[kind]}
    schema_meta = type("Meta", (), {"model_class": message, "unknown": EXCLUDE})
    schema = type(
        f"{name}Schema",
        (AgentMessageSchema,),
        {**schema_fields, "Meta": schema_meta, "__module__": __name__},
    )
    meta.schema_class = schema
    return message, schema


TermsOffer, TermsOfferSchema = _make("offer")
TermsResponse, TermsResponseSchema = _make("response")
ReceiptToSign, ReceiptToSignSchema = _make("receipt")
ReceiptCountersigned, ReceiptCountersignedSchema = _make("countersigned")
Settlement, SettlementSchema = _make("settlement")
ErasureRequest, ErasureRequestSchema = _make("erasure-request")
ErasureAck, ErasureAckSchema = _make("erasure-ack")
Ack, AckSchema = _make("ack")

BY_KIND = {
    cls.KIND: cls
    for cls in (
        TermsOffer,
        TermsResponse,
        ReceiptToSign,
        ReceiptCountersigned,
        Settlement,
        ErasureRequest,
        ErasureAck,
        Ack,
    )
}
