"""Predicates in plain words (a table)."""

import datetime

import pytest

from wallet.holder.disclosure import predicate_sentence

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
            "proves your employed since is on or before 1 January 2024; the date is not shared",
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
