"""Asking a firm to erase goes through a confirmation saying what will be asked of whom;
only the confirmation's own form sends it. The API sends on its one call (#19)."""

import re

import pytest

from .fake_terms import FakeTermsAcaPy
from .test_terms_pages import RECEIPT

BANK = "Bank of Tests"
PREDICATE = {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129}


@pytest.fixture
def fake():
    """The fake agent with the terms routes."""
    return FakeTermsAcaPy()


def _held(fake, countersigned=True):
    fake.add_receipt({**RECEIPT, "predicates": [PREDICATE]}, countersigned)


def _sent(fake):
    return [b for _, path, b in fake.posted if path == "/tessera-terms/send"]


def test_the_receipts_list_leads_to_the_confirmation_without_sending(unlocked, fake):
    _held(fake)
    listing = unlocked.client.get("/receipts/").get_data(as_text=True)
    form = re.search(r'<form method="(\w+)" action="/receipts/r-1/erase">', listing)
    assert form and form[1] == "get"
    page = unlocked.client.get("/receipts/r-1/erase")
    assert page.status_code == 200 and _sent(fake) == []


def test_the_confirmation_says_what_will_be_asked_of_whom(unlocked, fake):
    _held(fake)
    html = unlocked.client.get("/receipts/r-1/erase").get_data(as_text=True)
    assert f"<h1>Ask {BANK} to erase what you shared?</h1>" in html
    covers = re.search(r'<ul id="erasure-covers">(.*?)</ul>', html, re.S)[1]
    assert "Nationality" in covers and "at least 18" in covers
    summary = re.search(r'<p id="erasure-summary">(.*?)</p>', html, re.S)[1]
    assert "2 November 2026" in summary and "checking your age" in summary
    assert "30 days" in summary
    form = re.search(r'<form method="post"[^>]*id="confirm-erasure">(.*?)</form>', html, re.S)[1]
    assert '<input type="hidden" name="confirm" value="yes">' in form
    assert f"Confirm: ask {BANK} to erase it" in form
    assert '<a href="/receipts/">Cancel</a>' in form


@pytest.mark.parametrize("form", [{}, {"confirm": ""}, {"confirm": "no"}, {"confirm": "YES "}])
def test_a_post_without_the_confirmation_shows_it_and_sends_nothing(unlocked, fake, form):
    _held(fake)
    response = unlocked.post("/receipts/r-1/erase", form, form_page="/receipts/r-1/erase")
    assert response.status_code == 200
    assert 'id="confirm-erasure"' in response.get_data(as_text=True)
    assert _sent(fake) == []
    assert "waiting" not in unlocked.client.get("/receipts/").get_data(as_text=True)


def test_confirming_sends_one_signed_request_and_the_list_says_so(unlocked, fake):
    _held(fake)
    response = unlocked.post(
        "/receipts/r-1/erase", {"confirm": "yes"}, form_page="/receipts/r-1/erase"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/receipts/")
    [sent] = _sent(fake)
    assert (sent["kind"], sent["connection_id"]) == ("erasure-request", "conn-verifier")
    assert (sent["body"]["receipt_id"], sent["body"]["reason"]) == ("r-1", "person-asked")
    listing = unlocked.client.get("/receipts/").get_data(as_text=True)
    assert "Erasure requested" in listing and "waiting" in listing
    assert "/receipts/r-1/erase" not in listing


def test_once_asked_the_confirmation_offers_nothing_more_to_send(unlocked, fake):
    _held(fake)
    unlocked.post("/receipts/r-1/erase", {"confirm": "yes"}, form_page="/receipts/r-1/erase")
    html = unlocked.client.get("/receipts/r-1/erase").get_data(as_text=True)
    assert "You already asked" in html and 'id="confirm-erasure"' not in html
    again = unlocked.post("/receipts/r-1/erase", {"confirm": "yes"}, form_page="/receipts/")
    assert again.status_code == 400 and len(_sent(fake)) == 1


def test_a_receipt_not_countersigned_cannot_be_confirmed(unlocked, fake):
    _held(fake, countersigned=False)
    html = unlocked.client.get("/receipts/r-1/erase").get_data(as_text=True)
    assert "has not countersigned this receipt yet" in html
    assert 'id="confirm-erasure"' not in html and _sent(fake) == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_receipt_is_not_found(unlocked, fake, method):
    _held(fake)
    if method == "get":
        response = unlocked.client.get("/receipts/nope/erase")
    else:
        response = unlocked.post("/receipts/nope/erase", {"confirm": "yes"}, "/receipts/")
    assert response.status_code == 404 and _sent(fake) == []


def test_the_api_sends_on_its_one_call(unlocked, app, fake):
    _held(fake)
    token = app.extensions["tokens"].create("script")[1]
    response = unlocked.client.post(
        "/api/v1/receipts/r-1/erasure", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201 and response.get_json()["requested"] == "r-1"
    [sent] = _sent(fake)
    assert sent["kind"] == "erasure-request"
