"""Check terms-protocol message bodies: pure functions raising InputError with the reason.

`check(kind, body)` looks at one message alone; `check_related(...)` at a message
together with the receipt it refers to (signatures, existence, amounts).
"""

from ..errors import InputError
from ..pricing.money import Money
from ..receipts.keys import public_key
from ..receipts.receipt import ReceiptError, verify_party, verify_receipt
from ..receipts.signed import verify_message
from ..receipts.vocabulary import LEGAL_BASES, PURPOSES, choice, parse_duration, parse_time

# kind -> the body fields it carries (all required; "" / false where not applicable).
KINDS = {
    "offer": (
        "purpose",
        "purpose_text",
        "legal_basis",
        "retention",
        "onward_sharing",
        "price",
        "request_thread_id",
        "revision",
        "firm_key",
    ),
    "response": ("decision", "price", "reason", "revision"),
    "receipt": ("receipt",),
    "countersigned": ("receipt",),
    "settlement": ("receipt_id", "price", "settled_at", "signature"),
    "erasure-request": ("receipt_id", "reason", "requested_at", "signature"),
    "erasure-ack": ("receipt_id", "acknowledged_at", "signature"),
    # "I have recorded your message `acks`": ends its resending (`v1_0/outbox.py`).
    "ack": ("acks",),
}
MAX_ACKED_ID = 128
DECISIONS = ("accept", "reject", "counter")
ERASURE_REASONS = ("retention-ended", "person-asked")
# Who sends each kind: the firm ("firm") or the person's wallet ("holder").
SENDER = {
    "offer": "firm",
    "response": "holder",
    "receipt": "holder",
    "countersigned": "firm",
    "settlement": "firm",
    "erasure-request": "holder",
    "erasure-ack": "firm",
    "ack": "either",
}


def check_kind(kind):
    """Return `kind` if the protocol has it."""
    return choice(kind, tuple(KINDS), "message kind")


def _text(body, key, where):
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: '{key}' must be non-empty text.")
    return value


def check(kind, body):
    """Check one message body on its own; return it, or raise InputError saying why."""
    check_kind(kind)
    if not isinstance(body, dict):
        raise InputError(f"A {kind} message body must be a JSON object.")
    missing = [f for f in KINDS[kind] if f not in body]
    if missing:
        raise InputError(f"The {kind} message lacks {', '.join(missing)}.")
    where = f"{kind} message"
    if kind == "offer":
        choice(body["purpose"], PURPOSES, "purpose")
        choice(body["legal_basis"], LEGAL_BASES, "legal basis")
        parse_duration(body["retention"])
        if not isinstance(body["onward_sharing"], bool):
            raise InputError(f"{where}: 'onward_sharing' must be true or false.")
        Money.parse(body["price"])
        public_key(body["firm_key"])
    elif kind == "response":
        choice(body["decision"], DECISIONS, "decision")
        if body["decision"] == "counter":
            Money.parse(body["price"], "counter price")
    elif kind in ("receipt", "countersigned"):
        if not isinstance(body["receipt"], dict):
            raise InputError(f"{where}: 'receipt' must be a JSON object.")
    elif kind == "settlement":
        _text(body, "receipt_id", where)
        Money.parse(body["price"], "settled price")
        parse_time(body["settled_at"], "settled_at")
    elif kind == "erasure-request":
        _text(body, "receipt_id", where)
        choice(body["reason"], ERASURE_REASONS, "erasure reason")
        parse_time(body["requested_at"], "requested_at")
    elif kind == "erasure-ack":
        _text(body, "receipt_id", where)
        parse_time(body["acknowledged_at"], "acknowledged_at")
    elif kind == "ack" and len(_text(body, "acks", where)) > MAX_ACKED_ID:
        raise InputError(f"{where}: 'acks' is longer than {MAX_ACKED_ID} characters.")
    if isinstance(body.get("revision"), bool) or not isinstance(body.get("revision", 0), int):
        raise InputError(f"{where}: 'revision' must be a whole number.")
    return body


def check_related(kind, body, receipt, sent_receipt=None):
    """Check a message against the receipt it refers to (None: no such receipt here).

    `sent_receipt` is the holder-signed receipt this wallet sent, for a countersigned one.
    """
    if kind == "receipt":
        verify_party(body["receipt"], "holder")
        return
    if kind == "countersigned":
        got = verify_receipt(body["receipt"])
        if sent_receipt is None or got != {
            k: v for k, v in sent_receipt.items() if k != "signatures"
        }:
            raise ReceiptError("The countersigned receipt is not one this wallet signed.")
        if body["receipt"]["signatures"].get("holder") != sent_receipt["signatures"]["holder"]:
            raise ReceiptError("The countersigned receipt carries another holder signature.")
        return
    if kind not in ("settlement", "erasure-request", "erasure-ack"):
        return
    if receipt is None:
        raise InputError(
            f"The {kind} refers to receipt {body['receipt_id']}, which does not exist here."
        )
    signer = "holder" if SENDER[kind] == "holder" else "firm"
    verify_message(kind, body, receipt[signer]["key"])
    if kind == "settlement" and Money.parse(body["price"]) != Money.parse(receipt["price"]):
        raise InputError(
            f"The settlement is for {Money.parse(body['price'])}, but receipt "
            f"{body['receipt_id']} is for {Money.parse(receipt['price'])}."
        )
