"""Receipt signing and verification, with tampering of every field."""

import copy

import pytest

from wallet.receipts import receipt
from wallet.receipts.keys import derive, did_key, public_key

from .samples import FIRM, HOLDER, body, countersigned


def test_countersigned_receipt_verifies():
    signed = countersigned()
    assert receipt.verify_receipt(signed) == body() | {
        "receipt_id": signed["receipt_id"],
        "issued_at": signed["issued_at"],
    }


def test_receipt_holds_no_attribute_values():
    assert set(body()) == set(receipt.FIELDS)
    assert "values" not in str(body())


def test_did_key_round_trips():
    assert did_key(public_key(HOLDER.did)) == HOLDER.did
    assert HOLDER.did.startswith("did:key:z6Mk")


def test_pairwise_keys_differ_per_connection():
    assert derive("c2VjcmV0", "a").did != derive("c2VjcmV0", "b").did


# Each row changes one field after both signatures were made.
TAMPER = [
    ("receipt_id", "00000000-0000-0000-0000-000000000000"),
    ("issued_at", "2026-03-02T12:00:00+00:00"),
    ("holder", {"did": "did:peer:4other", "key": HOLDER.did}),
    ("firm", {"did": "did:peer:4other", "key": FIRM.did}),
    ("purpose", {"code": "marketing", "text": "Selling you wine"}),
    ("legal_basis", "legitimate-interests"),
    ("retention", "P10Y"),
    ("onward_sharing", True),
    ("revealed_attributes", ["nationality", "given_name"]),
    ("predicates", []),
    ("price", {"amount": "0.01", "currency": "EUR"}),
    ("proof_thread_id", "other-thread"),
    ("terms_thread_id", "other-thread"),
    ("presentation_hash", "sha256:" + "0" * 64),
]


@pytest.mark.parametrize(("field", "value"), TAMPER, ids=[f for f, _ in TAMPER])
def test_tampering_with_any_field_breaks_the_holder_signature(field, value):
    signed = countersigned()
    signed[field] = value
    with pytest.raises(receipt.ReceiptError) as info:
        receipt.verify_receipt(signed)
    assert info.value.party == "holder"


def test_forged_firm_signature_is_named():
    signed = countersigned()
    other = derive("b3RoZXI", "x")
    signed["signatures"]["firm"] = other.sign(b"something else")
    with pytest.raises(receipt.ReceiptError, match="firm's signature fails") as info:
        receipt.verify_receipt(signed)
    assert info.value.party == "firm"


def test_firm_signature_covers_the_holder_signature():
    signed = countersigned()
    signed["signatures"]["holder"] = HOLDER.sign(b"another statement")
    with pytest.raises(receipt.ReceiptError) as info:
        receipt.verify_party(signed, "firm")
    assert info.value.party == "firm"


@pytest.mark.parametrize("party", ["holder", "firm"])
def test_missing_signature_is_named(party):
    signed = countersigned()
    del signed["signatures"][party]
    with pytest.raises(receipt.ReceiptError, match="missing") as info:
        receipt.verify_party(signed, party)
    assert info.value.party == party


@pytest.mark.parametrize(
    "signature", ["", "not-multibase", "z0OIl", "z" + "1" * 10, HOLDER.sign(b"x")]
)
def test_malformed_holder_signature_fails(signature):
    signed = countersigned()
    signed["signatures"]["holder"] = signature
    with pytest.raises(receipt.ReceiptError) as info:
        receipt.verify_receipt(signed)
    assert info.value.party == "holder"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"values": {"nationality": "NL"}}, "unexpected"),
        ({"purpose": {"code": "spying"}}, "purpose"),
        ({"retention": "30 days"}, "ISO 8601 duration"),
        ({"price": {"amount": "-1", "currency": "EUR"}}, "negative"),
        ({"holder": {"did": "x"}}, "holder"),
        ({"version": "other"}, "version"),
    ],
)
def test_malformed_receipt_is_refused_before_signatures(change, reason):
    signed = copy.deepcopy(countersigned()) | change
    with pytest.raises(receipt.ReceiptError, match=reason) as info:
        receipt.verify_receipt(signed)
    assert info.value.party is None


def test_signing_with_a_key_not_named_is_refused():
    with pytest.raises(receipt.ReceiptError, match="not the holder key"):
        receipt.sign_as_holder(body(), FIRM)
    with pytest.raises(receipt.ReceiptError, match="not the firm key"):
        receipt.countersign(receipt.sign_as_holder(body(), HOLDER), HOLDER)
