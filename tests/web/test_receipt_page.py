"""The receipt page reads as sentences; ids, hashes and the verify command sit under a fold."""

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wallet.receipts.keys import Signer
from wallet.receipts.receipt import countersign, sign_as_holder

from .fake_agent import NATIONAL_ID
from .fake_terms import FakeTermsAcaPy

ME, BANK = Signer(Ed25519PrivateKey.generate()), Signer(Ed25519PrivateKey.generate())
BODY = {
    "version": "tessera-receipt/1",
    "receipt_id": "r-1",
    "issued_at": "2026-11-02T10:00:00+00:00",
    "holder": {"did": "did:peer:me", "key": ME.did},
    "firm": {"did": "did:peer:bank", "key": BANK.did},
    "purpose": {"code": "credit-check", "text": "To decide on your loan"},
    "legal_basis": "contract",
    "retention": "P1Y",
    "onward_sharing": False,
    "revealed_attributes": ["address_city", "birthdate_dateint"],
    "predicates": [{"name": "annual_income", "p_type": ">=", "p_value": 20000}],
    "price": {"amount": "1.80", "currency": "EUR"},
    "proof_thread_id": "thread-p-1",
    "terms_thread_id": "thread-t-1",
    "presentation_hash": "sha256:abc123",
}
SIGNED = countersign(sign_as_holder(BODY, ME), BANK)
TAMPERED = {**SIGNED, "retention": "P2Y"}


@pytest.fixture
def fake():
    """The fake agent with the terms routes."""
    return FakeTermsAcaPy()


def _hold(fake, receipt):
    fake.add_credential(NATIONAL_ID)
    fake.add_receipt(receipt)


def _split(page):
    """Return (the page outside the auditors' fold, the fold)."""
    fold = re.search(r'<details id="auditors">.*?</details>', page, re.S)
    assert fold, "the receipt page has no 'For auditors' fold"
    return page.replace(fold.group(0), ""), fold.group(0)


@pytest.mark.parametrize(
    ("shown", "hidden"),
    [
        ("You shared with Bank of Tests on 2 November 2026", "2026-11-02T10:00"),
        ("<strong>City of residence</strong>: Villeurbanne", "address_city"),
        ("<strong>Date of birth</strong>: 15 April 1990", "birthdate_dateint"),
        ("15 April 1990", "19900415"),
        ("Proves your annual income is at least 20000", "annual_income &gt;= 20000"),
        ("a credit check: To decide on your loan", "credit-check"),
        ("a contract with you", ">contract<"),
        ("1 year", "P1Y"),
        ("may not pass it on", "onward_sharing"),
        ("pays you 1.80 EUR", "sha256:abc123"),
        ("Both signatures check out", "thread-p-1"),
        ("Both signatures check out", "did:peer:bank"),
        ("Both signatures check out", "tessera receipt verify"),
    ],
)
def test_receipt_page_reads_as_sentences(unlocked, fake, shown, hidden):
    _hold(fake, SIGNED)
    outside, _ = _split(unlocked.client.get("/receipts/r-1").get_data(as_text=True))
    assert shown in outside
    assert hidden not in outside


@pytest.mark.parametrize(
    "kept", ["r-1", "did:peer:bank", "did:peer:me", "thread-p-1", "sha256:abc123", "verify FILE"]
)
def test_receipt_page_keeps_ids_and_the_verify_command_for_auditors(unlocked, fake, kept):
    _hold(fake, SIGNED)
    _, fold = _split(unlocked.client.get("/receipts/r-1").get_data(as_text=True))
    assert "<summary>For auditors</summary>" in fold
    assert kept in fold


def test_receipt_page_says_which_signature_fails(unlocked, fake):
    _hold(fake, TAMPERED)
    outside, _ = _split(unlocked.client.get("/receipts/r-1").get_data(as_text=True))
    assert "Both signatures check out" not in outside
    assert "Your signature: The holder&#39;s signature fails" in outside
    assert "The firm&#39;s countersignature: The firm&#39;s signature fails" in outside


@pytest.mark.parametrize(
    ("shown", "hidden"),
    [
        ("2 November 2026", "2026-11-02T10:00"),
        ("a credit check", "credit-check"),
        ("1 year", "P1Y"),
    ],
)
def test_receipts_list_in_words(unlocked, fake, shown, hidden):
    _hold(fake, SIGNED)
    listing = unlocked.client.get("/receipts/").get_data(as_text=True)
    assert shown in listing
    assert hidden not in listing


def test_receipt_page_says_when_a_shared_value_is_no_longer_held(unlocked, fake):
    _hold(fake, SIGNED)
    fake.credentials.clear()
    outside, _ = _split(unlocked.client.get("/receipts/r-1").get_data(as_text=True))
    assert (
        '<strong>City of residence</strong>: <span class="muted">(no longer in your wallet)</span>'
        in outside
    )
