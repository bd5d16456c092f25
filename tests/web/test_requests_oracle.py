"""Requests that would tell a firm more than they show, and requests set aside (fake agent)."""

import re

import pytest

from wallet.consent.policy import Policy, Shape
from wallet.holder.rules import RulesFile

from .fake_agent import NATIONAL_ID
from .test_api import auth

ADULT = {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129}
NORMAL = {
    "name": "Adult check",
    "version": "1.0",
    "requested_attributes": {},
    "requested_predicates": {"adult": ADULT},
}
CITY = {"cred_def_id": "cd", "attr::address_city::value": "Villeurbanne"}
HIDDEN = {**NORMAL, "requested_predicates": {"adult": {**ADULT, "restrictions": [CITY]}}}
BOTH = {**NORMAL, "requested_attributes": {"b": {"name": "birthdate_dateint"}}}


def _empty():
    return {"name": "Empty", "requested_attributes": {}, "requested_predicates": {}}


def _bad_date():
    return {
        **NORMAL,
        "name": "Bad date",
        "requested_predicates": {"a": {**ADULT, "p_value": 2147483648}},
    }


def _too_many():
    items = {f"a{i}": {"name": "nationality"} for i in range(70)}
    return {"name": "Too many", "requested_attributes": items, "requested_predicates": {}}


def _wrong_types():
    return {"name": "Wrong", "requested_attributes": "all of it", "requested_predicates": []}


HOSTILE = [
    (_empty, "asks for nothing at all"),
    (_bad_date, "out of range"),
    (_too_many, "more than 64 items"),
    (_wrong_types, "not a list of named items"),
    (None, "the wallet cannot read it"),  # a format the wallet does not read
]


def _add(fake, make):
    if make is not None:
        return fake.add_request(make())
    pres_ex_id = fake.add_request(NORMAL)
    fake.requests[pres_ex_id]["by_format"] = {
        "pres_request": {"dif": {"presentation_definition": {}}}
    }
    return pres_ex_id


@pytest.fixture
def token(unlocked):
    """A token created on the settings page."""
    response = unlocked.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    return re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))[1]


@pytest.mark.parametrize(("make", "problem"), HOSTILE)
def test_a_hostile_request_is_set_aside_and_the_others_still_list(
    unlocked, fake, client, token, make, problem
):
    fake.add_credential(NATIONAL_ID)
    good = fake.add_request(NORMAL)
    bad = _add(fake, make)
    listing = client.get("/requests/")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert f"/requests/{good}" in text and f"/requests/{bad}" in text
    assert "set aside" in text
    page = client.get(f"/requests/{bad}")
    assert page.status_code == 200
    assert problem in page.get_data(as_text=True)
    assert 'id="decline"' in page.get_data(as_text=True)
    assert client.get(f"/requests/{good}").status_code == 200
    api = client.get("/api/v1/requests", headers=auth(token))
    assert api.status_code == 200
    found = {r["pres_ex_id"]: r for r in api.get_json()["results"]}
    assert found[good]["answerable"] is True and "set_aside" not in found[good]
    assert found[bad]["set_aside"] is True and problem in " ".join(found[bad]["problems"])
    assert client.get(f"/api/v1/requests/{bad}", headers=auth(token)).get_json()["set_aside"]
    live = client.get("/live/wait?since=-1&timeout=0").get_json()
    titles = sorted(r["title"] for r in live["requests"])
    assert titles[0] == "Adult check" and titles[1].startswith("Set aside: ")


@pytest.mark.parametrize(("make", "problem"), HOSTILE)
def test_a_set_aside_request_is_declined_to_the_firm_and_logged(
    unlocked, fake, client, service, make, problem
):
    bad = _add(fake, make)
    refused = unlocked.post(
        f"/requests/{bad}/approve", {"digest": "x"}, form_page=f"/requests/{bad}"
    )
    assert refused.status_code == 409
    answer = unlocked.post(
        f"/requests/{bad}/decline",
        {"code": "other", "reason": "broken"},
        form_page=f"/requests/{bad}",
    )
    assert answer.status_code == 302
    assert fake.requests[bad]["state"] == "abandoned"
    entry = service.history.entries()[-1]
    assert (entry.action, entry.to, entry.rule) == ("declined", "Bank of Tests", "person")


def test_a_set_aside_request_is_declined_through_the_api(unlocked, fake, client, token, service):
    bad = _add(fake, None)
    refused = client.post(
        f"/api/v1/requests/{bad}/approve", headers=auth(token), json={"digest": "x"}
    )
    assert refused.status_code == 409
    done = client.post(f"/api/v1/requests/{bad}/decline", headers=auth(token), json={})
    assert done.status_code == 200
    assert fake.requests[bad]["state"] == "abandoned"
    assert service.history.entries()[-1].action == "declined"


def test_a_hidden_condition_is_said_in_words_and_counted_in_the_history(
    unlocked, fake, client, token, service
):
    fake.add_credential(NATIONAL_ID)
    asked = fake.add_request(HIDDEN)
    text = client.get(f"/requests/{asked}").get_data(as_text=True)
    assert "only answerable if your city of residence is &#39;Villeurbanne&#39;" in text
    body = client.get(f"/api/v1/requests/{asked}", headers=auth(token)).get_json()
    assert [c["name"] for c in body["warnings"]["conditions"]] == ["address_city"]
    sent = client.post(
        f"/api/v1/requests/{asked}/approve", headers=auth(token), json={"digest": body["digest"]}
    )
    assert sent.status_code == 200
    assert service.history.entries()[-1].conditions == ["address_city"]
    exposure = client.get("/api/v1/exposure", headers=auth(token)).get_json()
    firm = next(f for f in exposure["firms"] if f["firm"] == "Bank of Tests")
    assert "address_city" in firm["proven_only"]


def test_revealed_and_proven_on_one_attribute_is_unanswerable_before_any_click(
    unlocked, fake, client, token
):
    fake.add_credential(NATIONAL_ID)
    asked = fake.add_request(BOTH)
    text = client.get(f"/requests/{asked}").get_data(as_text=True)
    assert "both as a value and as a proven fact" in text
    assert 'id="approve"' not in text
    body = client.get(f"/api/v1/requests/{asked}", headers=auth(token)).get_json()
    assert body["answerable"] is False
    refused = client.post(
        f"/api/v1/requests/{asked}/approve", headers=auth(token), json={"digest": body["digest"]}
    )
    assert refused.status_code == 400
    assert not [p for m, p, b in fake.posted if p.endswith("/send-presentation")]


def test_the_consent_screen_says_what_earlier_answers_add_up_to(unlocked, fake, client, token):
    fake.add_credential(NATIONAL_ID)  # born 15 April 1990
    first = fake.add_request(
        {**NORMAL, "requested_predicates": {"a": {**ADULT, "p_value": 19900601}}}
    )
    body = client.get(f"/api/v1/requests/{first}", headers=auth(token)).get_json()
    assert body["warnings"]["narrowing"] == []
    assert (
        client.post(
            f"/api/v1/requests/{first}/approve",
            headers=auth(token),
            json={"digest": body["digest"]},
        ).status_code
        == 200
    )
    second = fake.add_request(
        {**NORMAL, "requested_predicates": {"a": {**ADULT, "p_type": ">=", "p_value": 19900301}}}
    )
    text = client.get(f"/requests/{second}").get_data(as_text=True)
    expected = (
        "Together with its earlier requests, this firm would know your date of birth lies "
        "between 1 March 1990 and 1 June 1990."
    )
    assert expected in text
    body = client.get(f"/api/v1/requests/{second}", headers=auth(token)).get_json()
    assert body["warnings"]["narrowing"] == [expected[0].lower() + expected[1:-1]]


def _age_rule(service):
    RulesFile(service.data_dir).save(
        Policy(
            firms={"conn-verifier": "trusted"},
            shapes=(Shape("age", "approve", "trusted", True, frozenset({"birthdate_dateint"})),),
        )
    )


def _age_request(p_type, p_value):
    return {
        **NORMAL,
        "requested_predicates": {"a": {**ADULT, "p_type": p_type, "p_value": p_value}},
    }


@pytest.mark.parametrize(
    ("threshold", "holds"), [(19900601, True), (19900301, False)]
)  # the person was born on 15 April 1990
def test_the_rule_weighs_a_narrowing_the_same_whether_the_predicate_holds_or_not(
    unlocked, fake, service, threshold, holds
):
    fake.add_credential(NATIONAL_ID)
    _age_rule(service)
    responder = service.responders.rules.responder
    first = fake.add_request(_age_request("<=", 19910101))
    assert responder.handle(fake.requests[first]).decision.rule == "shape:age"
    second = fake.add_request(_age_request("<=", threshold))
    outcome = responder.handle(fake.requests[second])
    assert (outcome.decision.action, outcome.decision.rule) == ("ask", "probing:birthdate_dateint")
    assert fake.requests[second]["state"] == "request-received"


def test_a_hidden_condition_is_left_to_the_person_by_the_rule(unlocked, fake, service):
    fake.add_credential(NATIONAL_ID)
    _age_rule(service)
    asked = fake.add_request(HIDDEN)
    outcome = service.responders.rules.responder.handle(fake.requests[asked])
    assert (outcome.decision.action, outcome.decision.rule) == ("ask", "condition:address_city")


@pytest.mark.parametrize(("make", "problem"), HOSTILE)
def test_the_rule_sets_a_hostile_request_aside_without_error(
    unlocked, fake, service, make, problem
):
    _age_rule(service)
    bad = _add(fake, make)
    outcome = service.responders.rules.responder.handle(fake.requests[bad])
    assert (outcome.decision.rule, outcome.error) == ("set-aside", None)
    assert fake.requests[bad]["state"] == "request-received"
