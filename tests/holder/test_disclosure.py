"""Predicates in plain words, and credentials told apart and kept together (tables)."""

import datetime
from types import SimpleNamespace

import pytest

from wallet.errors import InputError
from wallet.flows.matching import Candidate, usable
from wallet.holder.disclosure import (
    combining,
    describe,
    digest,
    predicate_sentence,
    resolve_choices,
)
from wallet.schemas import load_all

TODAY = datetime.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("name", "p_type", "value", "label", "kind", "sentence"),
    [
        (
            "birthdate_dateint",
            "<=",
            20081129,
            "Date of birth",
            "dateint",
            "proves you are at least 18; your date of birth is not shared",
        ),
        (
            "birthdate_dateint",
            "<=",
            19611129,
            "Date of birth",
            "dateint",
            "proves you are at least 65; your date of birth is not shared",
        ),
        (
            "birthdate_dateint",
            "<",
            20081130,
            "Date of birth",
            "dateint",
            "proves you are at least 18; your date of birth is not shared",
        ),
        (
            "birthdate_dateint",
            "<=",
            20081201,
            "Date of birth",
            "dateint",
            "proves you were born on or before 1 December 2008 (so you are at least 17); "
            "your date of birth is not shared",
        ),
        (
            "employed_since_dateint",
            "<=",
            20240101,
            "Employed since",
            "dateint",
            "proves Employed since: on or before 1 January 2024; the date is not shared",
        ),
        (
            "birthdate_dateint",
            ">=",
            20000101,
            "Date of birth",
            "dateint",
            "proves your date of birth is on or after 1 January 2000; the date is not shared",
        ),
        (
            "annual_income",
            ">=",
            30000,
            "Annual income",
            "integer",
            "proves your annual income is at least 30000; the amount is not shared",
        ),
        (
            "annual_income",
            "<",
            100000,
            "Annual income",
            "integer",
            "proves your annual income is less than 100000; the amount is not shared",
        ),
    ],
)
def test_predicates_read_as_sentences(name, p_type, value, label, kind, sentence):
    assert predicate_sentence(name, p_type, value, label, kind, TODAY) == sentence


# One credential, one story (#19.6): credentials told apart, items of one type together.

SCHEMAS = load_all()
JOB_A = {
    "employer": "Acme Robotics SA",
    "job_title": "Firmware engineer",
    "annual_income": "52750",
    "employed_since_dateint": "20180901",
}
JOB_B = dict(JOB_A, employer="Globex Ltd", job_title="Night porter", annual_income="21000")
ID_FR = {
    "given_name": "Alice",
    "family_name": "Martinez",
    "birthdate_dateint": "19900415",
    "nationality": "FR",
    "address_country": "FR",
    "address_city": "Lyon",
}
ISSUED = {"job-a": ("Acme Registry", "2025-05-03T10:00:00Z"), "job-b": ("Globex", "2025-06-01")}
EMPLOYER = {"employer": {"name": "employer"}, "title": {"name": "job_title"}}
INCOME_AT_LEAST = {"name": "annual_income", "p_type": ">=", "p_value": 30000}


def _cand(cred_id, attrs, referents):
    return Candidate(cred_id, attrs, "s", "cd", None, referents)


def _view(held, attributes, predicates=None, issued=None):
    request = {"name": "Job check", "requested_attributes": attributes}
    request["requested_predicates"] = predicates or {}
    asked = frozenset(attributes) | frozenset(request["requested_predicates"])
    found = usable(request, [_cand(cred_id, attrs, asked) for cred_id, attrs in held.items()])
    record = SimpleNamespace(pres_ex_id="px-1")
    return describe(record, request, found, SCHEMAS, "Bank", TODAY, issued=issued)


@pytest.mark.parametrize(
    ("held", "attributes", "predicates", "together"),
    [
        (
            {"job-a": JOB_A, "job-b": JOB_B},
            EMPLOYER,
            {},
            [("employment_income", ["job-a", "job-b"])],
        ),
        # Only one job proves the income: it alone can answer everything.
        (
            {"job-a": JOB_A, "job-b": JOB_B},
            EMPLOYER,
            {"income": INCOME_AT_LEAST},
            [("employment_income", ["job-a"])],
        ),
        ({"job-a": JOB_A}, EMPLOYER, {}, []),  # one credential: nothing to keep together
        ({"job-a": JOB_A, "job-b": JOB_B}, {"employer": {"name": "employer"}}, {}, []),
        # Two types, one credential of each: nothing to keep together.
        ({"job-a": JOB_A, "id": ID_FR}, dict(EMPLOYER, nat={"name": "nationality"}), {}, []),
        # No single job answers both the revealed title and the income proof of the other.
        (
            {"job-a": JOB_A, "job-b": dict(JOB_B, job_title="")},
            {"title": {"name": "job_title"}},
            {"income": dict(INCOME_AT_LEAST, p_value=60000)},
            [],
        ),
    ],
)
def test_items_of_one_credential_type_are_answered_together(held, attributes, predicates, together):
    view = _view(held, attributes, predicates)
    assert [(g.key, [c.cred_id for c in g.choices]) for g in view.together] == together


def test_two_credentials_of_one_type_are_named_apart_by_issuer_date_and_a_value():
    view = _view({"job-a": JOB_A, "job-b": JOB_B}, EMPLOYER, issued=ISSUED)
    [group] = view.together
    assert [c.name for c in group.choices] == [
        "Employment and income from Acme Registry, issued 3 May 2025 (Employer: Acme Robotics SA)",
        "Employment and income from Globex, issued 1 June 2025 (Employer: Globex Ltd)",
    ]


def test_a_value_the_request_reveals_tells_credentials_apart_before_others():
    same_employer = dict(JOB_B, employer=JOB_A["employer"])
    view = _view({"job-a": JOB_A, "job-b": same_employer}, {"title": {"name": "job_title"}})
    names = [c.name for c in view.items[0].choices]
    assert names == [
        "Employment and income (Job title: Firmware engineer)",
        "Employment and income (Job title: Night porter)",
    ]


def test_a_single_credential_is_named_without_a_telling_value():
    view = _view({"job-a": JOB_A}, EMPLOYER, issued=ISSUED)
    assert (
        view.items[0].choices[0].name
        == "Employment and income from Acme Registry, issued 3 May 2025"
    )


@pytest.mark.parametrize(
    ("chosen", "together", "split", "picks", "warned"),
    [
        ({}, {}, (), {"employer": "job-a", "title": "job-a"}, False),
        ({}, {"employment_income": "job-b"}, (), {"employer": "job-b", "title": "job-b"}, False),
        (
            {"employer": "job-b", "title": "job-b"},
            {},
            (),
            {"employer": "job-b", "title": "job-b"},
            False,
        ),
        (
            {"employer": "job-b"},
            {},
            {"employment_income"},
            {"employer": "job-b", "title": "job-a"},
            True,
        ),
        ({"employer": "job-b"}, {}, True, {"employer": "job-b", "title": "job-a"}, True),
    ],
)
def test_one_credential_answers_its_type_unless_the_person_splits(
    chosen, together, split, picks, warned
):
    view = _view({"job-a": JOB_A, "job-b": JOB_B}, EMPLOYER)
    assert resolve_choices(view, chosen, together, split) == picks
    warnings = combining(view, picks)
    assert warnings == (
        [
            "You are combining two different Employment and income credentials in one answer: "
            "the firm will see them as one."
        ]
        if warned
        else []
    )


@pytest.mark.parametrize(
    ("chosen", "together"),
    [({"employer": "job-b"}, {}), ({"employer": "job-b"}, {"employment_income": "job-a"})],
)
def test_combining_credentials_of_one_type_without_meaning_to_is_refused(chosen, together):
    view = _view({"job-a": JOB_A, "job-b": JOB_B}, EMPLOYER)
    with pytest.raises(InputError, match="different Employment and income credentials"):
        resolve_choices(view, chosen, together)


def test_what_the_screen_shows_of_the_groups_is_in_the_digest():
    one = _view({"job-a": JOB_A, "job-b": JOB_B}, EMPLOYER, issued=ISSUED)
    other = _view(
        {"job-a": JOB_A, "job-b": JOB_B},
        EMPLOYER,
        issued=dict(ISSUED, **{"job-b": ("Initech", "")}),
    )
    assert digest(one) != digest(other)
