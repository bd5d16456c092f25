"""The price list, earnings and receipts pages and the consent screen's terms (fake agent)."""

import json

import pytest

from wallet.flows.negotiation import NO_TERMS
from wallet.pricing import store

from .fake_agent import AGE_INCOME_REQUEST, INCOME, NATIONAL_ID
from .fake_terms import WINE_OFFER, FakeTermsAcaPy

GOOD = {
    "currency": "EUR",
    "attribute": "0.50",
    "predicate": "0.10",
    "floor_ratio": "0.8",
    "purpose-marketing": "4",
}
RECEIPT = {
    "receipt_id": "r-1",
    "issued_at": "2026-11-02T10:00:00+00:00",
    "holder": {"did": "did:peer:me", "key": "did:key:z6Mkme"},
    "firm": {"did": "did:peer:bank", "key": "did:key:z6Mkbank"},
    "purpose": {"code": "age-check", "text": ""},
    "legal_basis": "consent",
    "retention": "P30D",
    "onward_sharing": False,
    "revealed_attributes": ["nationality"],
    "predicates": [],
    "price": {"amount": "1.80", "currency": "EUR"},
    "proof_thread_id": "p-1",
    "terms_thread_id": "t-1",
    "presentation_hash": "sha256:00",
    "version": "tessera-receipt/1",
    "signatures": {"holder": "zbad", "firm": "zbad"},
}


@pytest.fixture
def fake():
    """The fake agent with the terms routes."""
    return FakeTermsAcaPy()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attribute", "-1.00", "negative"),
        ("attribute", "0.505", "more than 2 decimals"),
        ("predicate", "1e3", "not a decimal amount"),
        ("predicate", "", "not a decimal amount"),
        ("currency", "XYZ", "not an ISO 4217 currency"),
        ("currency", "", "not an ISO 4217 currency"),
        ("floor_ratio", "1.5", "between 0 and 1"),
        ("purpose-marketing", "0.00001", "more than 4 decimals"),
        ("attr-nationality", "abc", "not a decimal amount"),
    ],
)
def test_price_page_refuses_bad_amounts_and_saves_nothing(unlocked, service, field, value, message):
    response = unlocked.post("/prices/", {**GOOD, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not (service.data_dir / store.FILE_NAME).exists()


def test_price_page_saves_exact_decimals(unlocked, service):
    response = unlocked.post("/prices/", {**GOOD, "attr-nationality": "0.25", "currency": "eur"})
    assert response.status_code == 302
    saved = json.loads((service.data_dir / store.FILE_NAME).read_text())
    assert saved["attributes"] == {"nationality": "0.25"} and saved["currency"] == "EUR"
    assert 'value="0.25"' in unlocked.client.get("/prices/").get_data(as_text=True)


def test_no_terms_rule_is_saved(unlocked, service):
    assert (
        unlocked.post("/prices/no-terms", {"no_terms": "rules"}, form_page="/prices/").status_code
        == 302
    )
    assert json.loads((service.data_dir / "terms-rule.json").read_text()) == {"no_terms": "rules"}
    assert (
        unlocked.post("/prices/no-terms", {"no_terms": "always"}, form_page="/prices/").status_code
        == 400
    )


def _token(app):
    return app.extensions["tokens"].create("script")[1]


@pytest.mark.parametrize(
    ("attribute", "status"),
    [("0.40", 200), (0.4, 400), ("-0.40", 400), ("0.401", 400)],
)
def test_api_prices_take_text_amounts_only(unlocked, app, attribute, status):
    headers = {"Authorization": f"Bearer {_token(app)}"}
    assert unlocked.client.get("/api/v1/prices", headers=headers).status_code == 404
    doc = {**store.DEFAULT, "attribute": attribute}
    response = unlocked.client.put("/api/v1/prices", json=doc, headers=headers)
    assert response.status_code == status, response.get_json()
    if status == 200:
        saved = unlocked.client.get("/api/v1/prices", headers=headers).get_json()
        assert saved["attribute"] == attribute and saved["auto_counter"] is False


def test_consent_screen_says_no_terms_stated(unlocked, fake):
    fake.add_credential(NATIONAL_ID)
    fake.add_credential(INCOME)
    pres_ex_id = fake.add_request()
    fake.requests[pres_ex_id]["thread_id"] = "p-1"
    page = unlocked.client.get(f"/requests/{pres_ex_id}").get_data(as_text=True)
    assert f'data-status="{NO_TERMS}"' in page and "No terms stated" in page


def test_consent_screen_offers_counter_prefilled_from_price_list(unlocked, fake, service):
    store.save(service.data_dir, store.DEFAULT)
    fake.add_credential(NATIONAL_ID)
    fake.add_credential(INCOME)
    pres_ex_id = fake.add_request(AGE_INCOME_REQUEST)
    fake.requests[pres_ex_id]["thread_id"] = "p-1"
    fake.add_message(kind="offer", connection_id="conn-verifier", body=WINE_OFFER, receipt_id="")
    path = f"/requests/{pres_ex_id}"
    page = unlocked.client.get(path).get_data(as_text=True)
    # 1 value x 0.50 + 2 facts x 0.10 = 0.70, x4 for marketing = 2.80 EUR.
    assert 'data-status="offered"' in page and "Wine offers" in page
    assert 'name="amount" value="2.80"' in page
    bad = unlocked.post(
        f"{path}/terms", {"decision": "counter", "amount": "-2", "currency": "EUR"}, form_page=path
    )
    assert bad.status_code == 400 and "negative" in bad.get_data(as_text=True)
    sent = unlocked.post(
        f"{path}/terms",
        {"decision": "counter", "amount": "2.80", "currency": "EUR"},  # the counter form
        form_page=path,
    )
    assert sent.status_code == 302
    (response,) = [m for m in fake.messages if m["kind"] == "response"]
    assert response["body"]["price"] == {"amount": "2.80", "currency": "EUR"}
    assert 'id="terms-answered"' in unlocked.client.get(path).get_data(as_text=True)


def _receipt_messages(fake, paid=False):
    fake.add_receipt(RECEIPT)
    if paid:
        fake.add_message(
            kind="settlement",
            connection_id="conn-verifier",
            receipt_id="r-1",
            body={"receipt_id": "r-1", "settled_at": "2026-11-05T00:00:00+00:00"},
        )


@pytest.mark.parametrize("paid", [False, True])
def test_earnings_page_table_chart_and_csv(unlocked, fake, paid):
    _receipt_messages(fake, paid)
    page = unlocked.client.get("/earnings/").get_data(as_text=True)
    assert "<svg" in page and "<rect" in page and "November 2026" in page
    assert "1.80 EUR" in page and "Bank of Tests" in page
    assert "2 November 2026, 10:00 UTC" in page and "2026-11-02T10" not in page
    assert ("paid on 5 November 2026" in page) is paid
    assert "<script" not in page.split("</head>", 1)[1]
    csv = unlocked.client.get("/earnings/export.csv")
    assert csv.mimetype == "text/csv"
    assert (
        f"r-1,did:peer:bank,2026-11,2026-11-02T10:00:00+00:00,1.80,EUR,{'paid' if paid else 'owed'}"
        in csv.get_data(as_text=True)
    )


def test_receipts_page_shows_signatures_status_and_erasure_button(unlocked, fake):
    _receipt_messages(fake)
    listing = unlocked.client.get("/receipts/").get_data(as_text=True)
    assert 'data-receipt="r-1"' in listing and "Request erasure" in listing
    page = unlocked.client.get("/receipts/r-1").get_data(as_text=True)
    assert "fails" in page  # the fake signatures do not verify, and the page says so
    download = unlocked.client.get("/receipts/r-1.json")
    assert json.loads(download.data)["receipt_id"] == "r-1"
    assert unlocked.client.get("/receipts/nope").status_code == 404
