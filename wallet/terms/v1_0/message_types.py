"""Message type URIs of the Tessera terms protocol 1.0."""

from ..validation import KINDS

PROTOCOL_URI = "https://tessera.example/terms/1.0"
PROTOCOL_PACKAGE = "wallet.terms.v1_0"
CLASS_NAMES = {
    "offer": "TermsOffer",
    "response": "TermsResponse",
    "receipt": "ReceiptToSign",
    "countersigned": "ReceiptCountersigned",
    "settlement": "Settlement",
    "erasure-request": "ErasureRequest",
    "erasure-ack": "ErasureAck",
    "ack": "Ack",
}


def type_uri(kind):
    """Return the message type URI of a kind."""
    return f"{PROTOCOL_URI}/{kind}"


MESSAGE_TYPES = {
    type_uri(kind): f"{PROTOCOL_PACKAGE}.messages.{CLASS_NAMES[kind]}" for kind in KINDS
}
