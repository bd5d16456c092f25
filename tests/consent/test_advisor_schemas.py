"""Advice for any credential: thresholds from schema files, and the purpose of the terms."""

import datetime
from pathlib import Path

import pytest

from wallet.consent.advisor import advise
from wallet.errors import SchemaFileError
from wallet.receipts.purpose_needs import NEEDS
from wallet.receipts.vocabulary import PURPOSES
from wallet.schemas import load_all, load_schema, parse_schema

DATA = Path(__file__).parent / "data"
UNSEEN = {"fitness_membership": load_schema(DATA / "fitness_membership.json")}
SHIPPED = load_all()
TODAY = datetime.date(2026, 11, 29)
GYM = [{"cred_def_id": "did:tessera:z/creddef/gym"}]
ID = [{"cred_def_id": "did:tessera:z/creddef/id"}]


def req(attrs=None, preds=None):
    return {
        "name": "Check",
        "version": "1.0",
        "requested_attributes": attrs or {},
        "requested_predicates": preds or {},
    }


def reveal(*names, restrictions=GYM):
    return req({"a": {"names": list(names), "restrictions": restrictions}})


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            reveal("member_name", "weekly_hours"),
            {"weekly_hours": ("amount", 3, "prove your weekly training is at least 3 hours")},
        ),
        (
            reveal("member_since_dateint"),
            {
                "member_since_dateint": (
                    "years",
                    2,
                    "prove your member since is at least 2 years ago instead",
                )
            },
        ),
        (
            reveal("resting_pulse"),  # numeric with no declared threshold: the type's default
            {"resting_pulse": ("amount", 1, "prove your resting pulse is at least 1 instead")},
        ),
        (reveal("member_name"), {}),  # a string: nothing to prove instead
    ],
)
def test_a_schema_the_advisor_never_saw_gets_threshold_advice(request_, expected):
    advice = advise(request_, UNSEEN, TODAY)
    got = {s.name: (s.kind, s.value, s.sentence()) for s in advice.suggestions}
    assert set(got) == set(expected)
    for name, (kind, value, words) in expected.items():
        assert got[name][:2] == (kind, value)
        assert got[name][2].startswith(words)
    assert advice.over_asking is bool(expected)


def test_the_smaller_answer_proves_the_declared_threshold_of_an_unseen_schema():
    advice = advise(reveal("member_name", "weekly_hours", "member_since_dateint"), UNSEEN, TODAY)
    preds = sorted(advice.smaller_request["requested_predicates"].values(), key=lambda p: p["name"])
    assert preds == [
        {"name": "member_since_dateint", "p_type": "<=", "p_value": 20241129, "restrictions": GYM},
        {"name": "weekly_hours", "p_type": ">=", "p_value": 3, "restrictions": GYM},
    ]
    assert advice.smaller_request["requested_attributes"]["a"]["names"] == ["member_name"]


def test_a_threshold_the_person_cannot_prove_is_not_suggested_for_an_unseen_schema():
    advice = advise(reveal("weekly_hours"), UNSEEN, TODAY, held={"weekly_hours": "2"})
    assert advice.suggestions == ()


def _schema(**extra):
    attr = {"name": "n", "label": "N", "type": "integer", "sensitivity": "low", **extra}
    return {"name": "s", "version": "1.0", "label": "S", "attributes": [attr]}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"threshold": "3"}, "whole number"),
        ({"threshold": True}, "whole number"),
        ({"threshold": -1}, "between 0"),
        ({"threshold": 2**31}, "between 0"),
        ({"unit": "€/h"}, "short word"),
        ({"unit": 5}, "short word"),
        ({"type": "string", "threshold": 3}, "only integer and dateint"),
        ({"type": "dateint", "name": "n_dateint", "unit": "hours"}, "counts 'years'"),
        ({"type": "dateint", "name": "n_dateint", "threshold": 151}, "between 0 and 150"),
    ],
)
def test_bad_threshold_fields_are_refused_on_load_with_the_field_named(extra, message):
    with pytest.raises(SchemaFileError, match=message) as caught:
        parse_schema(_schema(**extra), "s.json")
    assert "attributes[0]" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "threshold", "unit"),
    [
        ({}, None, ""),
        ({"threshold": 40, "unit": "EUR"}, 40, "EUR"),
        ({"type": "dateint", "name": "n_dateint", "threshold": 21}, 21, "years"),
    ],
)
def test_good_threshold_fields_load(extra, threshold, unit):
    attr = parse_schema(_schema(**extra), "s.json").attributes[0]
    assert (attr.threshold, attr.unit) == (threshold, unit)


# Purpose-aware advice: the purpose stated in terms, against what the request asks.
NAT = {"nat": {"name": "nationality", "restrictions": ID}}
ADULT = {
    "adult": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129, "restrictions": ID}
}
JOB = [{"cred_def_id": "did:tessera:z/creddef/job"}]
AGE_AND_EMPLOYER = req({"job": {"name": "employer", "restrictions": JOB}}, ADULT)
DELIVERY = req({"addr": {"names": ["given_name", "address_city"], "restrictions": ID}})
DELIVERY_AND_INCOME = req(
    {
        "addr": {"names": ["given_name", "address_city"], "restrictions": ID},
        "pay": {"name": "annual_income", "restrictions": JOB},
    }
)


@pytest.mark.parametrize(
    ("request_", "purpose", "beyond", "words", "kept"),
    [
        (
            AGE_AND_EMPLOYER,
            "age-check",
            {"employer": "An age check does not need your employer."},
            "It asks more than an age check needs.",
            [],
        ),
        (req(preds=ADULT), "age-check", {}, "It asks nothing beyond what an age check needs.", []),
        (
            req(NAT, ADULT),
            "age-check",
            {"nationality": "An age check does not need your nationality."},
            "It asks more than an age check needs.",
            [],
        ),
        (
            DELIVERY,
            "service-delivery",
            {},
            "It asks nothing beyond what a delivery needs.",
            ["given_name", "address_city"],
        ),
        (
            DELIVERY_AND_INCOME,
            "service-delivery",
            {"annual_income": "A delivery does not need your annual income."},
            "It asks more than a delivery needs.",
            ["given_name", "address_city"],
        ),
        (
            req(preds=ADULT),
            "marketing",
            {"birthdate_dateint": "Marketing does not need a fact about your date of birth."},
            "It asks more than marketing needs.",
            [],
        ),
        (
            AGE_AND_EMPLOYER,
            None,
            {},
            "No purpose was stated in agreed terms, so the advisor cannot judge the purpose.",
            ["employer"],
        ),
        (
            DELIVERY_AND_INCOME,
            "",
            {},
            "No purpose was stated in agreed terms, so the advisor cannot judge the purpose.",
            ["given_name", "address_city"],
        ),
    ],
)
def test_purpose_advice_flags_what_the_purpose_does_not_need(
    request_, purpose, beyond, words, kept
):
    advice = advise(request_, SHIPPED, TODAY, purpose=purpose)
    assert dict(advice.beyond_purpose) == beyond
    assert advice.purpose_words == words
    smaller = advice.smaller_request["requested_attributes"]
    assert [n for item in smaller.values() for n in item.get("names", [item.get("name")])] == kept
    if beyond:
        assert advice.over_asking


def test_a_value_beyond_the_purpose_is_left_out_not_proven_instead():
    advice = advise(DELIVERY_AND_INCOME, SHIPPED, TODAY, purpose="service-delivery")
    assert [s.name for s in advice.suggestions] == []
    assert "annual_income" in advice.dropped


def test_a_raw_value_the_purpose_needs_only_proven_gets_a_threshold_not_a_flag():
    asked = req({"dob": {"name": "birthdate_dateint", "restrictions": ID}})
    advice = advise(asked, SHIPPED, TODAY, purpose="age-check")
    assert advice.beyond_purpose == ()
    assert [s.name for s in advice.suggestions] == ["birthdate_dateint"]


def test_every_purpose_of_the_vocabulary_says_what_it_needs():
    assert set(NEEDS) == set(PURPOSES)
