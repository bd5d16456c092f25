"""The JSON API's advice, smaller answers, decline reasons and rules."""

import re

import pytest

from .fake_agent import NATIONAL_ID
from .test_api import auth
from .test_requests_advice import OVER_ASKING, ProposingAcaPy, _posts


@pytest.fixture
def fake():
    """The proposing fake agent."""
    return ProposingAcaPy()


@pytest.fixture
def token(unlocked):
    """A token created on the settings page."""
    response = unlocked.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    return re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))[1]


@pytest.fixture
def asked(unlocked, fake):
    """One over-asking request pending."""
    fake.add_credential(NATIONAL_ID)
    return fake.add_request(OVER_ASKING)


def test_request_carries_the_advice(asked, token, client):
    body = client.get(f"/api/v1/requests/{asked}", headers=auth(token)).get_json()
    advice = body["advice"]
    assert advice["over_asking"] is True
    assert [s["name"] for s in advice["suggestions"]] == ["birthdate_dateint"]
    assert advice["exposure"].startswith("Reveals a lot: 4 raw values")
    assert "birthdate_dateint_instead" in advice["smaller_request"]["requested_predicates"]


def test_counter_and_decline_by_api(asked, token, client, fake):
    h = auth(token)
    bad = client.post(f"/api/v1/requests/{asked}/counter", headers=h, json={"choices": []})
    assert bad.status_code == 400
    sent = client.post(
        f"/api/v1/requests/{asked}/counter",
        headers=h,
        json={"choices": {"birthdate_dateint": "prove"}, "thresholds": {"birthdate_dateint": 18}},
    )
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["proposal"] == "px-prop"
    assert len(_posts(fake, "/send-proposal")) == 1
    other = fake.add_request(OVER_ASKING)
    declined = client.post(
        f"/api/v1/requests/{other}/decline", headers=h, json={"code": "unknown_firm"}
    )
    assert declined.get_json()["reason"] == "I do not know your firm."


def test_rules_round_trip_and_bad_rules_are_refused(token, client):
    h = auth(token)
    assert client.get("/api/v1/rules", headers=h).get_json()["shapes"] == []
    document = {
        "version": 1,
        "attributes": {"birthdate_dateint": "never"},
        "firms": {"conn-verifier": "trusted"},
        "shapes": [{"id": "age", "then": "approve", "when": {"predicates_only": True}}],
    }
    saved = client.put("/api/v1/rules", headers=h, json=document).get_json()
    assert saved["shapes"][0]["id"] == "age"
    assert client.get("/api/v1/rules", headers=h).get_json() == saved
    refused = client.put("/api/v1/rules", headers=h, json={"version": 9})
    assert refused.status_code == 400 and "version 9" in refused.get_json()["message"]
    assert client.get("/api/v1/rules", headers=h).get_json() == saved
