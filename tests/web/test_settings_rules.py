"""The rules on the settings page, stored owner-only; the rules answering while unlocked."""

import pytest

from wallet.consent.policy import Policy, Shape
from wallet.holder.rules import RulesFile

from .fake_agent import NATIONAL_ID

AGE_ONLY = {
    "name": "Adult check",
    "version": "1.0",
    "requested_attributes": {},
    "requested_predicates": {
        "adult": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129}
    },
}
AGE_RULE = Policy(firms={"conn-verifier": "trusted"}).add_shape(
    Shape(
        "age-checks", "approve", predicates_only=True, attributes=frozenset({"birthdate_dateint"})
    )
)


def _rules(service):
    return RulesFile(service.data_dir)


def test_rules_page_saves_each_kind_of_rule_owner_only(unlocked, service):
    page = unlocked.client.get("/settings/").get_data(as_text=True)
    assert "ask every time" in page and "Bank of Tests" in page and "high" in page
    assert (
        unlocked.post(
            "/settings/rules/attributes",
            {"attr-birthdate_dateint": "never", "attr-nationality": "allow"},
            form_page="/settings/",
        ).status_code
        == 302
    )
    unlocked.post("/settings/rules/firms", {"firm-conn-verifier": "trusted"}, "/settings/")
    unlocked.post(
        "/settings/rules/shapes",
        {"id": "age-checks", "then": "approve", "firm": "trusted", "predicates_only": "on"},
        "/settings/",
    )
    policy = _rules(service).load()
    assert policy.attributes == {"birthdate_dateint": "never", "nationality": "allow"}
    assert policy.firms == {"conn-verifier": "trusted"}
    assert [(s.id, s.then, s.predicates_only) for s in policy.shapes] == [
        ("age-checks", "approve", True)
    ]
    assert oct(_rules(service).path.stat().st_mode & 0o777) == "0o600"
    assert "Answer at once: predicate-only requests from trusted firms" in unlocked.client.get(
        "/settings/"
    ).get_data(as_text=True)
    unlocked.post("/settings/rules/shapes/age-checks/remove", form_page="/settings/")
    assert _rules(service).load().shapes == ()


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("/settings/rules/attributes", {"attr-nationality": "sometimes"}, "is not one of"),
        ("/settings/rules/firms", {"firm-conn-stranger": "trusted"}, "not one of your connections"),
        ("/settings/rules/shapes", {"id": "", "then": "approve"}, "Name the rule"),
        ("/settings/rules/shapes", {"id": "x", "then": "maybe"}, "is not one of"),
        (
            "/settings/rules/shapes",
            {"id": "x", "then": "ask", "attributes": "ssn"},
            "from the list",
        ),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_saved(unlocked, service, path, form, message):
    response = unlocked.post(path, form, form_page="/settings/")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert not _rules(service).path.exists()


def test_by_default_nothing_is_answered_for_the_person(unlocked, fake, service):
    fake.add_credential(NATIONAL_ID)
    pres_ex_id = fake.add_request(AGE_ONLY)
    responder = service.responders.rules.responder
    outcome = responder.handle(fake.requests[pres_ex_id])
    assert (outcome.decision.action, outcome.decision.rule) == ("ask", "default:ask")
    assert fake.posted == []


def test_a_rule_answers_waiting_requests_at_unlock_and_the_history_names_it(
    person, fake, service, app
):
    _rules(service).save(AGE_RULE)
    fake.add_credential(NATIONAL_ID)
    pres_ex_id = fake.add_request(AGE_ONLY)
    assert person.set_up().status_code == 302
    service.responders.rules.responder.drain()
    [entry] = service.history.entries()
    assert (entry.action, entry.rule, entry.revealed) == ("sent", "shape:age-checks", [])
    assert fake.requests[pres_ex_id]["state"] == "presentation-sent"
    assert "your rule shape:age-checks" in person.client.get("/history/").get_data(as_text=True)
