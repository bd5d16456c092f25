"""Proof request templates: the shipped files load; malformed ones give clear errors."""

import datetime
import json

import pytest

from wallet.console import request_templates as rt
from wallet.schemas import load_all

SCHEMAS = load_all()
TODAY = datetime.date(2026, 11, 29)


def _restrict(schema):
    return [{"cred_def_id": f"cd-{schema}"}]


def test_shipped_templates_all_load():
    found, problems = rt.load_all([rt.REQUESTS_DIR], SCHEMAS)
    assert problems == []
    assert {"age_18", "resident", "income_min", "employed_years"} <= set(found)


def test_age_becomes_dateint_predicate_from_the_clock():
    found, _ = rt.load_all([rt.REQUESTS_DIR], SCHEMAS)
    request = rt.to_proof_request(found["age_18"], _restrict, TODAY)
    pred = request["requested_predicates"]["birthdate_dateint_0"]
    assert (pred["p_type"], pred["p_value"]) == ("<=", 20081129)
    assert pred["restrictions"] == [{"cred_def_id": "cd-national_id"}]
    assert request["requested_attributes"]["national_id_attrs"]["names"] == ["nationality"]


def test_threshold_override_and_leap_day():
    found, _ = rt.load_all([rt.REQUESTS_DIR], SCHEMAS)
    request = rt.to_proof_request(found["age_18"], _restrict, datetime.date(2024, 2, 29), {0: 21})
    assert request["requested_predicates"]["birthdate_dateint_0"]["p_value"] == 20030228


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        ([], None, "JSON object"),
        ({"reveal": []}, "name", "non-empty string"),
        ({"name": "x"}, None, "asks for nothing"),
        (
            {"name": "x", "reveal": [{"schema": "passport", "attributes": ["a"]}]},
            "reveal[0]",
            "names schema 'passport'",
        ),
        (
            {"name": "x", "reveal": [{"schema": "national_id", "attributes": ["salary"]}]},
            "reveal[0]",
            "has no attribute 'salary'",
        ),
        (
            {
                "name": "x",
                "predicates": [{"schema": "national_id", "attribute": "given_name", "value": 1}],
            },
            "predicates[0]",
            "not a number or date",
        ),
        (
            {
                "name": "x",
                "predicates": [
                    {"schema": "employment_income", "attribute": "annual_income", "years": 3}
                ],
            },
            "predicates[0].years",
            "date attributes only",
        ),
        (
            {
                "name": "x",
                "predicates": [
                    {
                        "schema": "employment_income",
                        "attribute": "annual_income",
                        "p_type": "==",
                        "value": 3,
                    }
                ],
            },
            "predicates[0].p_type",
            "one of",
        ),
        (
            {
                "name": "x",
                "predicates": [
                    {"schema": "employment_income", "attribute": "annual_income", "value": "3"}
                ],
            },
            "predicates[0].value",
            "whole number",
        ),
        (
            {
                "name": "x",
                "reveal": [{"schema": "national_id", "attributes": ["nationality"]}],
                "issuers": ["did:web:example.org"],
            },
            "issuers",
            "did:tessera issuer ids",
        ),
        (
            {
                "name": "x",
                "reveal": [{"schema": "national_id", "attributes": ["nationality"]}],
                "non_revoked": "yes",
            },
            "non_revoked",
            "true or false",
        ),
    ],
)
def test_malformed_template_names_file_and_field(tmp_path, data, field, problem):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(rt.TemplateFileError) as caught:
        rt.load_template(path, SCHEMAS)
    assert caught.value.field == field and problem in caught.value.problem
    assert str(path) in str(caught.value)


def test_invalid_json_gives_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "x",\n')
    with pytest.raises(rt.TemplateFileError, match="not valid JSON"):
        rt.load_template(path, SCHEMAS)


def test_round_trip_through_save(tmp_path):
    found, _ = rt.load_all([rt.REQUESTS_DIR], SCHEMAS)
    template = found["employed_years"]
    rt.save_template(template, tmp_path)
    again = rt.load_template(tmp_path / "employed_years.json", SCHEMAS)
    assert (again.reveal, again.predicates) == (template.reveal, template.predicates)
    with pytest.raises(ValueError, match="exists"):
        rt.save_template(template, tmp_path)


ISSUER_A = "did:tessera:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
ISSUER_B = "did:tessera:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"


def test_issuers_and_non_revocation_survive_a_round_trip(tmp_path):
    data = {
        "name": "Adult, from the state only",
        "predicates": [{"schema": "national_id", "attribute": "birthdate_dateint", "years": 18}],
        "issuers": [ISSUER_A],
        "non_revoked": True,
    }
    path = tmp_path / "state_adult.json"
    path.write_text(json.dumps(data))
    template = rt.load_template(path, SCHEMAS)
    assert (template.issuers, template.non_revoked) == ((ISSUER_A,), True)
    assert template.to_json()["issuers"] == [ISSUER_A]


@pytest.mark.parametrize(
    ("issuers", "accepted"),
    [
        ((), [f"{ISSUER_A}/creddef/1", f"{ISSUER_B}/creddef/2"]),
        ((ISSUER_B,), [f"{ISSUER_B}/creddef/2"]),
    ],
)
def test_restrictions_keep_only_the_named_issuers(issuers, accepted):
    from wallet.console.trust import restrictions_for

    found = {"national_id": [f"{ISSUER_A}/creddef/1", f"{ISSUER_B}/creddef/2"]}
    restrict = restrictions_for(found, issuers)
    assert restrict("national_id") == [{"cred_def_id": i} for i in accepted]


def test_restricting_to_an_issuer_with_no_credential_definition_says_so():
    from wallet.console.trust import restrictions_for
    from wallet.errors import ConfigError

    restrict = restrictions_for({"national_id": [f"{ISSUER_A}/creddef/1"]}, (ISSUER_B,))
    with pytest.raises(ConfigError, match="among the issuers this request names"):
        restrict("national_id")
