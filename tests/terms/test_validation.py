"""Terms message validation: each bad input refused with a clear reason."""

import copy

import pytest

from tests.receipts.samples import FIRM, HOLDER, body, countersigned
from wallet.errors import InputError
from wallet.receipts.signed import sign_message
from wallet.terms.validation import check, check_related

OFFER = {
    "purpose": "marketing",
    "purpose_text": "Newsletter",
    "legal_basis": "consent",
    "retention": "P1Y",
    "onward_sharing": False,
    "price": {"amount": "1.20", "currency": "EUR"},
    "request_thread_id": "t1",
    "revision": 0,
    "firm_key": FIRM.did,
}


def test_valid_offer_passes():
    assert check("offer", OFFER) == OFFER


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"price": {"amount": "-1.00", "currency": "EUR"}}, "negative"),
        ({"price": {"amount": "1.2.3", "currency": "EUR"}}, "not a decimal amount"),
        ({"price": {"amount": 1.2, "currency": "EUR"}}, "floating-point"),
        ({"price": {"amount": "1.20", "currency": "EUX"}}, "ISO 4217"),
        ({"retention": "one year"}, "ISO 8601 duration"),
        ({"retention": "P"}, "ISO 8601 duration"),
        ({"purpose": "spying"}, "purpose 'spying'"),
        ({"legal_basis": "because"}, "legal basis"),
        ({"onward_sharing": "no"}, "true or false"),
        ({"firm_key": "did:web:example"}, "did:key"),
        ({"revision": "1"}, "whole number"),
    ],
)
def test_bad_offer_is_refused_with_reason(change, reason):
    with pytest.raises(InputError, match=reason):
        check("offer", {**OFFER, **change})


def test_missing_fields_are_named():
    offer = dict(OFFER)
    del offer["retention"]
    with pytest.raises(InputError, match="lacks retention"):
        check("offer", offer)


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        ("nonsense", {}, "message kind"),
        ("offer", "text", "JSON object"),
        ("response", {"decision": "maybe", "price": {}, "reason": "", "revision": 0}, "decision"),
        (
            "response",
            {
                "decision": "counter",
                "price": {"amount": "-2", "currency": "EUR"},
                "reason": "",
                "revision": 0,
            },
            "negative",
        ),
        ("receipt", {"receipt": "signed"}, "JSON object"),
        (
            "settlement",
            {
                "receipt_id": "r",
                "price": {"amount": "1", "currency": "ZZZ"},
                "settled_at": "",
                "signature": "",
            },
            "ISO 4217",
        ),
        (
            "erasure-request",
            {"receipt_id": "r", "reason": "bored", "requested_at": "", "signature": ""},
            "erasure reason",
        ),
        ("erasure-ack", {"receipt_id": "", "acknowledged_at": "", "signature": ""}, "receipt_id"),
    ],
)
def test_bad_messages_are_refused_with_reason(kind, body, reason):
    with pytest.raises(InputError, match=reason):
        check(kind, body)


def _ack(signer, receipt_id):
    return sign_message(
        "erasure-ack",
        {"receipt_id": receipt_id, "acknowledged_at": "2026-03-02T00:00:00+00:00"},
        signer,
    )


def test_erasure_ack_for_an_unknown_receipt_is_refused():
    ack = _ack(FIRM, "no-such-receipt")
    with pytest.raises(InputError, match="does not exist here"):
        check_related("erasure-ack", ack, None)


def test_erasure_ack_signed_by_another_key_is_refused():
    receipt = countersigned()
    ack = _ack(HOLDER, receipt["receipt_id"])
    with pytest.raises(InputError, match="does not verify"):
        check_related("erasure-ack", ack, receipt)
    check_related("erasure-ack", _ack(FIRM, receipt["receipt_id"]), receipt)


def test_settlement_for_another_amount_is_refused():
    receipt = countersigned()
    settlement = sign_message(
        "settlement",
        {
            "receipt_id": receipt["receipt_id"],
            "price": {"amount": "0.01", "currency": "EUR"},
            "settled_at": "2026-03-02T00:00:00+00:00",
        },
        FIRM,
    )
    with pytest.raises(InputError, match=r"is for 1\.80 EUR"):
        check_related("settlement", settlement, receipt)


def test_countersigned_receipt_must_be_the_one_sent():
    signed = countersigned()
    sent = {k: v for k, v in signed.items() if k != "signatures"} | {
        "signatures": {"holder": signed["signatures"]["holder"]}
    }
    check_related("countersigned", {"receipt": signed}, None, sent_receipt=sent)
    other = copy.deepcopy(sent) | {"receipt_id": "other"}
    with pytest.raises(InputError, match="not one this wallet signed"):
        check_related("countersigned", {"receipt": signed}, None, sent_receipt=other)
    with pytest.raises(InputError, match="not one this wallet signed"):
        check_related("countersigned", {"receipt": signed}, None, sent_receipt=None)


def test_receipt_without_holder_signature_is_refused():
    with pytest.raises(InputError, match="missing"):
        check_related("receipt", {"receipt": body()}, None)
