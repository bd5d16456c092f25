"""Receipts over the terms protocol: the person signs and sends, the firm checks and
countersigns; both keep the countersigned receipt in their agent's storage. Erasure
requests and their acknowledgements, settlements, and the ledgers they make.

Every function that depends on time takes `now` (an aware datetime).
"""

import datetime

from ..earnings.ledger import build as build_ledger
from ..errors import FlowError
from ..receipts.erasure import DEFAULT_GRACE, status
from ..receipts.receipt import ReceiptError, build, countersign, sign_as_holder
from ..receipts.signed import sign_message
from . import connect, present
from .negotiation import agreed_terms
from .records import PresExchange
from .terms import messages, send


def _presentation(record):
    pres = PresExchange.from_agent(record).presentation
    if not pres:
        raise FlowError(f"Exchange {record.pres_ex_id} holds no presentation yet.")
    return pres


def _revealed(record):
    request = present.anoncreds_request(record)
    proof = _presentation(record).get("requested_proof") or {}
    attrs = request["requested_attributes"]
    found = [attrs[r]["name"] for r in proof.get("revealed_attrs") or {}]
    for referent in proof.get("revealed_attr_groups") or {}:
        found.extend(attrs[referent]["names"])
    return found, list(request.get("requested_predicates", {}).values())


def _body(terms, holder, firm, record, now):
    """Return the receipt body of a presentation record under `terms`, between two parties."""
    revealed, predicates = _revealed(record)
    return build(
        terms=terms,
        holder=holder,
        firm=firm,
        revealed=revealed,
        predicates=predicates,
        proof_thread_id=record.thread_id,
        presentation=_presentation(record),
        now=now,
    )


def issue_receipt(holder, keys, record, now):
    """Person: build and sign the receipt of a presentation sent; send it to the firm."""
    record = PresExchange.from_agent(record)
    connection_id = record.connection_id
    terms = agreed_terms(holder, connection_id, record.thread_id)
    if terms is None:
        raise FlowError("No terms were agreed for this proof request; there is nothing to sign.")
    connection = connect.connection(holder, connection_id)
    signer = keys.for_connection(connection_id)
    holder_party = {"did": connection.my_did, "key": signer.did}
    firm_party = {"did": connection.their_did, "key": terms["firm_key"]}
    body = _body(terms, holder_party, firm_party, record, now)
    receipt = sign_as_holder(body, signer)
    send(holder, connection_id, "receipt", {"receipt": receipt})
    return receipt


def _mismatch(receipt, expected):
    wrong = sorted(k for k, v in expected.items() if receipt.get(k) != v)
    if wrong:
        raise ReceiptError(f"The receipt does not match this firm's records: {', '.join(wrong)}.")


def countersign_received(firm, keys, message):
    """Firm: check a holder-signed receipt against its own records, countersign, send back."""
    if message["status"] != "accepted":
        raise ReceiptError(f"This receipt was refused on arrival: {message['reason']}")
    receipt = message["body"]["receipt"]
    connection_id = message["connection_id"]
    found = present.records(firm, thread_id=receipt["proof_thread_id"])
    records = [r for r in found if r.connection_id == connection_id]
    if not records or records[0].verified != "true":
        raise ReceiptError("This firm holds no verified presentation for the receipt's thread.")
    record = records[0]
    terms = agreed_terms(firm, connection_id, record.thread_id, side="firm")
    if terms is None:
        raise ReceiptError("This firm agreed no terms for the receipt's proof request.")
    connection = connect.connection(firm, connection_id)
    signer = keys.for_connection(connection_id)
    firm_party = {"did": connection.my_did, "key": signer.did}
    expected = _body(
        terms, receipt["holder"], firm_party, record, datetime.datetime.now(datetime.UTC)
    )
    if receipt["holder"]["did"] != connection.their_did:
        raise ReceiptError("The receipt names another DID for the person than this connection.")
    expected.pop("receipt_id"), expected.pop("issued_at")
    _mismatch(receipt, expected)
    if any(r["proof_thread_id"] == record.thread_id for r in receipts(firm, side="firm")):
        raise ReceiptError("This firm already countersigned a receipt for that presentation.")
    signed = countersign(receipt, signer)
    send(firm, connection_id, "countersigned", {"receipt": signed}, message["thread_id"])
    return signed


def receipts(agent, side="holder"):
    """Return the countersigned receipts this agent holds, oldest first."""
    direction = "received" if side == "holder" else "sent"
    return [
        m["body"]["receipt"]
        for m in messages(agent, kind="countersigned", direction=direction, status="accepted")
    ]


def request_erasure(holder, keys, receipt, connection_id, reason, now):
    """Person: send a signed erasure request for a receipt; return the body sent."""
    body = {
        "receipt_id": receipt["receipt_id"],
        "reason": reason,
        "requested_at": now.isoformat(timespec="seconds"),
    }
    signed = sign_message("erasure-request", body, keys.for_connection(connection_id))
    send(holder, connection_id, "erasure-request", signed)
    return signed


def acknowledge(firm, keys, request, now):
    """Firm: acknowledge an erasure request record (accepted on arrival) with a signed message."""
    body = {
        "receipt_id": request["receipt_id"],
        "acknowledged_at": now.isoformat(timespec="seconds"),
    }
    signed = sign_message("erasure-ack", body, keys.for_connection(request["connection_id"]))
    send(firm, request["connection_id"], "erasure-ack", signed, request["thread_id"])
    return signed


def acknowledged(agent, now, grace=DEFAULT_GRACE):
    """Return the erasure requests the firms have acknowledged."""
    return [s for s in status(messages(agent), now, grace) if s.acknowledged_at]


def overdue(agent, now, grace=DEFAULT_GRACE):
    """Return the erasure requests not acknowledged within the grace period."""
    return [s for s in status(messages(agent), now, grace) if s.overdue]


def settle(firm, keys, receipt, connection_id, now):
    """Firm: send a signed settlement for a countersigned receipt; return the body sent."""
    body = {
        "receipt_id": receipt["receipt_id"],
        "price": receipt["price"],
        "settled_at": now.isoformat(timespec="seconds"),
    }
    signed = sign_message("settlement", body, keys.for_connection(connection_id))
    send(firm, connection_id, "settlement", signed)
    return signed


def ledger(agent, side="holder"):
    """Return the earnings ledger entries of an agent (holder: the person's; firm: owed)."""
    return build_ledger(messages(agent), side)
