"""A consent receipt (after Kantara CR 1.1 and ISO/IEC 27560): build, sign, verify.

The holder signs the canonical JSON of the receipt body; the firm countersigns the
body together with the holder's signature. No attribute value is ever part of it.
"""

import datetime
import hashlib
import json
import uuid

from ..errors import InputError
from ..pricing.money import Money
from .keys import SignatureError, verify
from .vocabulary import LEGAL_BASES, PURPOSES, choice, parse_duration, parse_time

VERSION = "tessera-receipt/1"
PARTIES = ("holder", "firm")
FIELDS = (
    "version",
    "receipt_id",
    "issued_at",
    "holder",
    "firm",
    "purpose",
    "legal_basis",
    "retention",
    "onward_sharing",
    "revealed_attributes",
    "predicates",
    "price",
    "proof_thread_id",
    "terms_thread_id",
    "presentation_hash",
)


class ReceiptError(InputError):
    """A receipt is malformed, or one party's signature is missing or fails."""

    def __init__(self, message, party=None):
        """Name the party whose signature fails (None: the receipt itself is malformed)."""
        self.party = party
        super().__init__(message)


def canonical(data):
    """Return the canonical JSON bytes that are signed (sorted keys, no spaces, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def presentation_hash(presentation):
    """Return "sha256:<hex>" of a presentation's canonical JSON."""
    return "sha256:" + hashlib.sha256(canonical(presentation)).hexdigest()


def build(*, terms, holder, firm, revealed, predicates, proof_thread_id, presentation, now):
    """Return an unsigned receipt body for one presentation made under agreed `terms`.

    `holder`/`firm` are {"did": pairwise DID, "key": did:key}; `predicates` are
    {"name", "p_type", "p_value"} items; `presentation` is hashed, never copied.
    """
    body = {
        "version": VERSION,
        "receipt_id": str(uuid.uuid4()),
        "issued_at": now.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "holder": dict(holder),
        "firm": dict(firm),
        "purpose": {"code": terms["purpose"], "text": terms.get("purpose_text", "")},
        "legal_basis": terms["legal_basis"],
        "retention": terms["retention"],
        "onward_sharing": bool(terms["onward_sharing"]),
        "revealed_attributes": sorted(revealed),
        "predicates": sorted(
            ({k: p[k] for k in ("name", "p_type", "p_value")} for p in predicates),
            key=lambda p: (p["name"], p["p_type"], p["p_value"]),
        ),
        "price": terms["price"],
        "proof_thread_id": proof_thread_id,
        "terms_thread_id": terms["thread_id"],
        "presentation_hash": presentation_hash(presentation),
    }
    check_body(body)
    return body


def body_of(receipt):
    """Return the receipt without its signatures."""
    return {k: v for k, v in receipt.items() if k != "signatures"}


def check_body(body):
    """Check every field is present, well-formed and nothing else is there; ReceiptError."""
    if not isinstance(body, dict):
        raise ReceiptError("A receipt must be a JSON object.")
    missing = [f for f in FIELDS if f not in body]
    extra = sorted(set(body) - set(FIELDS) - {"signatures"})
    if missing or extra:
        raise ReceiptError(
            f"The receipt is malformed: missing {missing or 'nothing'}, "
            f"unexpected {extra or 'nothing'}."
        )
    try:
        if body["version"] != VERSION:
            raise InputError(f"version is {body['version']!r}, expected {VERSION!r}")
        parse_time(body["issued_at"], "issued_at")
        for party in PARTIES:
            if not isinstance(body[party], dict) or set(body[party]) != {"did", "key"}:
                raise InputError(f"{party} must be {{'did', 'key'}}")
        choice(body["purpose"].get("code"), PURPOSES, "purpose")
        choice(body["legal_basis"], LEGAL_BASES, "legal basis")
        parse_duration(body["retention"])
        Money.parse(body["price"])
        if not isinstance(body["onward_sharing"], bool):
            raise InputError("onward_sharing must be true or false")
        if not all(isinstance(n, str) for n in body["revealed_attributes"]):
            raise InputError("revealed_attributes must be attribute names")
    except (InputError, AttributeError, TypeError) as exc:
        raise ReceiptError(f"The receipt is malformed: {exc}") from exc


def _countersigned_payload(body, holder_signature):
    return canonical({"receipt": body, "holder_signature": holder_signature})


def sign_as_holder(body, signer):
    """Return the receipt with the holder's signature (the signer must be the holder key)."""
    check_body(body)
    if signer.did != body["holder"]["key"]:
        raise ReceiptError("This key is not the holder key named in the receipt.", "holder")
    return {**body, "signatures": {"holder": signer.sign(canonical(body))}}


def countersign(receipt, signer):
    """Verify the holder's signature, then add the firm's; return the countersigned receipt."""
    body = verify_party(receipt, "holder")
    if signer.did != body["firm"]["key"]:
        raise ReceiptError("This key is not the firm key named in the receipt.", "firm")
    holder_sig = receipt["signatures"]["holder"]
    firm_sig = signer.sign(_countersigned_payload(body, holder_sig))
    return {**body, "signatures": {"holder": holder_sig, "firm": firm_sig}}


def verify_party(receipt, party):
    """Verify one party's signature; return the body or raise ReceiptError naming the party."""
    body = body_of(receipt)
    check_body(body)
    signatures = receipt.get("signatures")
    signature = signatures.get(party) if isinstance(signatures, dict) else None
    if not signature:
        raise ReceiptError(f"The {party}'s signature is missing.", party)
    if party == "holder":
        payload = canonical(body)
    else:
        payload = _countersigned_payload(body, signatures.get("holder"))
    try:
        verify(body[party]["key"], payload, signature, f"{party}'s signature")
    except SignatureError as exc:
        raise ReceiptError(f"The {party}'s signature fails: {exc}", party) from exc
    return body


def verify_receipt(receipt):
    """Verify both signatures; return the body, or raise ReceiptError naming the one that fails."""
    verify_party(receipt, "holder")
    return verify_party(receipt, "firm")
