"""The exposure map page, its API, the breach action and the retention-ended offer (fake agent)."""

import pytest

from wallet.holder import receipt_book

from .fake_agent import INCOME, NATIONAL_ID
from .fake_terms import FakeTermsAcaPy
from .test_terms_pages import RECEIPT

BANK, SHOP = "Bank of Tests", "Corner Shop"


def receipt(rid, issued_at, retention="P30D", purpose="age-check", revealed=("given_name",)):
    return {
        **RECEIPT,
        "receipt_id": rid,
        "issued_at": issued_at,
        "purpose": {"code": purpose, "text": ""},
        "retention": retention,
        "revealed_attributes": sorted(revealed),
        "predicates": [{"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129}],
    }


@pytest.fixture
def fake():
    """The fake agent with the terms routes and the person's credentials."""
    found = FakeTermsAcaPy()
    found.add_credential(NATIONAL_ID)
    found.add_credential(INCOME)
    return found


def _world(service, fake, issued_at="2026-11-20T10:00:00+00:00"):
    """The bank got the name (and proved age) under terms; the shop name + city, no terms."""
    fake.add_receipt(receipt("r-bank", issued_at))
    bank = service.history.append(
        "sent",
        BANK,
        request_name="Age check",
        revealed=["given_name"],
        predicates=["proves you are at least 18; your date of birth is not shared"],
    )
    receipt_book.link(service.data_dir, bank, "r-bank")
    service.history.append(
        "sent", SHOP, request_name="Delivery", revealed=["given_name", "address_city"]
    )


def _erasures(fake):
    return [b for m, p, b in fake.posted if p == "/tessera-terms/send"]


def test_map_shows_each_firm_its_terms_values_and_what_proofs_saved(unlocked, service, fake):
    _world(service, fake)
    page = unlocked.client.get("/exposure/").get_data(as_text=True)
    assert "Proofs kept 1 raw value out of 1 firm&#39;s database." in page
    assert "Your given name is held by 2 firms, one of them with no retention limit." in page
    assert "Your city of residence is held by 1 firm, it with no retention limit." in page
    assert "Villeurbanne" in page and "Alice" in page  # from the person's own credentials
    assert "no terms: unknown" in page  # the shop: a risk
    assert "20 December 2026" in page  # the bank may keep the name 30 days
    assert "for checking your age, on the basis of your consent" in page
    assert "<svg" in page and "<rect" in page
    for code in ("2026-12-20", "2026-11-20", "age-check", "basis: consent"):  # #19.8
        assert code not in page
    assert "No firm is past its retention period." in page


def test_api_exposure_needs_a_token_and_carries_no_value(unlocked, app, service, fake):
    _world(service, fake)
    assert unlocked.client.get("/api/v1/exposure").status_code == 401
    token = app.extensions["tokens"].create("script")[1]
    got = unlocked.client.get("/api/v1/exposure", headers={"Authorization": f"Bearer {token}"})
    doc = got.get_json()
    assert got.status_code == 200
    firms = {f["firm"]: f for f in doc["firms"]}
    assert firms[BANK]["disclosures"][0]["until"] == "2026-12-20T10:00:00+00:00"
    assert firms[BANK]["disclosures"][0]["erasure"] == "not asked"
    assert firms[BANK]["proven_only"] == ["birthdate_dateint"]
    assert firms[SHOP]["no_retention_limit"] is True
    assert [a["name"] for a in doc["attributes"]] == ["given_name", "address_city"]
    assert doc["savings"]["saved"] == 1 and doc["timeline"] == [
        {"month": "2026-11", "raw_values_held": 3}
    ]
    assert "Alice" not in got.get_data(as_text=True)


def test_breach_page_shows_what_was_there_and_who_else_holds_it(unlocked, service, fake):
    _world(service, fake)
    page = unlocked.client.get(f"/exposure/breach?firm={SHOP}").get_data(as_text=True)
    assert "City of residence: Villeurbanne" in page
    assert "Given name: Alice" in page
    assert 'name="receipt_id" value="r-bank"' in page and "checked" in page  # age check: done
    assert "past its need" in page


def test_breach_sends_erasure_to_other_firms_and_records_it(unlocked, service, fake):
    _world(service, fake)
    path = "/exposure/breach"
    response = unlocked.post(
        path, {"firm": SHOP, "receipt_id": "r-bank"}, form_page=f"{path}?firm={SHOP}"
    )
    assert response.status_code == 302
    sent = _erasures(fake)
    assert [(b["kind"], b["connection_id"], b["body"]["receipt_id"]) for b in sent] == [
        ("erasure-request", "conn-verifier", "r-bank")
    ]
    last = service.history.entries()[-1]
    assert (last.action, last.to, last.revealed) == (
        "breach-reported",
        SHOP,
        ["given_name", "address_city"],
    )
    assert BANK in last.reason
    history = unlocked.client.get("/history/").get_data(as_text=True)
    assert "You reported a breach at this firm" in history
    page = unlocked.client.get("/exposure/").get_data(as_text=True)
    assert ">asked<" in page


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"firm": SHOP, "receipt_id": "r-other"}, 400),  # not a firm of this breach
        ({"firm": "", "receipt_id": "r-bank"}, 400),
        ({"firm": "Nobody", "receipt_id": "r-bank"}, 404),
        ({"firm": "x" * 300}, 400),
    ],
)
def test_breach_refuses_bad_input_and_sends_nothing(unlocked, service, fake, form, status):
    _world(service, fake)
    before = len(service.history.entries())
    response = unlocked.post("/exposure/breach", form, form_page="/exposure/")
    assert response.status_code == status
    assert _erasures(fake) == []
    assert len(service.history.entries()) == before


def test_retention_ended_is_offered_as_one_click_erasure(unlocked, service, fake):
    _world(service, fake, issued_at="2026-10-01T10:00:00+00:00")  # P30D ended 2026-10-31
    page = unlocked.client.get("/exposure/").get_data(as_text=True)
    assert "Ask Bank of Tests to erase it" in page
    response = unlocked.post("/exposure/erase/r-bank", form_page="/exposure/")
    assert response.status_code == 302
    [sent] = _erasures(fake)
    assert sent["body"]["reason"] == "retention-ended"
    assert "Ask Bank of Tests to erase it" not in unlocked.client.get("/exposure/").get_data(
        as_text=True
    )


def test_api_breach_defaults_to_the_suggested_firms(unlocked, app, service, fake):
    _world(service, fake)
    token = app.extensions["tokens"].create("script")[1]
    headers = {"Authorization": f"Bearer {token}"}
    bad = unlocked.client.post(
        "/api/v1/exposure/breach", json={"firm": SHOP, "receipt_ids": "r-bank"}, headers=headers
    )
    assert bad.status_code == 400 and _erasures(fake) == []
    got = unlocked.client.post("/api/v1/exposure/breach", json={"firm": SHOP}, headers=headers)
    assert got.status_code == 201
    assert got.get_json()["erasure"] == {"r-bank": "sent"}
    assert got.get_json()["enables"][0].startswith("name + city")
