"""Receipts over the terms protocol: the person signs and sends, the firm checks and
countersigns; both keep the countersigned receipt in their agent's storage."""

import datetime

from ..errors import FlowError
from ..flows.formats import first_readable
from ..flows.present import anoncreds_request
from ..terms import client
from ..terms.negotiation import agreed_terms
from .receipt import ReceiptError, build, countersign, sign_as_holder


def _presentation(record):
    pres = first_readable(record, "pres")  # `anoncreds` or `indy`, as the request asked
    if not pres:
        raise FlowError(f"Exchange {record.get('pres_ex_id')} holds no presentation yet.")
    return pres


def _revealed(record):
    request = anoncreds_request(record)
    proof = _presentation(record).get("requested_proof") or {}
    attrs = request["requested_attributes"]
    found = [attrs[r]["name"] for r in proof.get("revealed_attrs") or {}]
    for referent in proof.get("revealed_attr_groups") or {}:
        found.extend(attrs[referent]["names"])
    return found, list(request.get("requested_predicates", {}).values())


def issue_receipt(holder, keys, record, now):
    """Person: build and sign the receipt of a presentation sent; send it to the firm."""
    connection_id = record["connection_id"]
    terms = agreed_terms(holder, connection_id, record["thread_id"])
    if terms is None:
        raise FlowError("No terms were agreed for this proof request; there is nothing to sign.")
    connection = holder.admin.get(f"/connections/{connection_id}")
    signer = keys.for_connection(connection_id)
    revealed, predicates = _revealed(record)
    body = build(
        terms=terms,
        holder={"did": connection["my_did"], "key": signer.did},
        firm={"did": connection["their_did"], "key": terms["firm_key"]},
        revealed=revealed,
        predicates=predicates,
        proof_thread_id=record["thread_id"],
        presentation=_presentation(record),
        now=now,
    )
    receipt = sign_as_holder(body, signer)
    client.send(holder, connection_id, "receipt", {"receipt": receipt})
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
    found = firm.admin.get("/present-proof-2.0/records", thread_id=receipt["proof_thread_id"])
    records = [r for r in found["results"] if r["connection_id"] == connection_id]
    if not records or records[0].get("verified") != "true":
        raise ReceiptError("This firm holds no verified presentation for the receipt's thread.")
    record = records[0]
    terms = agreed_terms(firm, connection_id, record["thread_id"], side="firm")
    if terms is None:
        raise ReceiptError("This firm agreed no terms for the receipt's proof request.")
    connection = firm.admin.get(f"/connections/{connection_id}")
    signer = keys.for_connection(connection_id)
    revealed, predicates = _revealed(record)
    expected = build(
        terms=terms,
        holder=receipt["holder"],
        firm={"did": connection["my_did"], "key": signer.did},
        revealed=revealed,
        predicates=predicates,
        proof_thread_id=record["thread_id"],
        presentation=_presentation(record),
        now=datetime.datetime.now(datetime.UTC),
    )
    if receipt["holder"]["did"] != connection["their_did"]:
        raise ReceiptError("The receipt names another DID for the person than this connection.")
    expected.pop("receipt_id"), expected.pop("issued_at")
    _mismatch(receipt, expected)
    if any(r["proof_thread_id"] == record["thread_id"] for r in receipts(firm, side="firm")):
        raise ReceiptError("This firm already countersigned a receipt for that presentation.")
    signed = countersign(receipt, signer)
    client.send(firm, connection_id, "countersigned", {"receipt": signed}, message["thread_id"])
    return signed


def receipts(agent, side="holder"):
    """Return the countersigned receipts this agent holds, oldest first."""
    direction = "received" if side == "holder" else "sent"
    return [
        m["body"]["receipt"]
        for m in client.messages(
            agent, kind="countersigned", direction=direction, status="accepted"
        )
    ]
