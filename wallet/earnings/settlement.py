"""Settlement: the firm marks a receipt's amount settled with a signed message."""

from ..receipts.signed import sign_message
from ..terms import client


def settle(firm, keys, receipt, connection_id, now):
    """Firm: send a signed settlement for a countersigned receipt; return the body sent."""
    body = {
        "receipt_id": receipt["receipt_id"],
        "price": receipt["price"],
        "settled_at": now.isoformat(timespec="seconds"),
    }
    signed = sign_message("settlement", body, keys.for_connection(connection_id))
    client.send(firm, connection_id, "settlement", signed)
    return signed
