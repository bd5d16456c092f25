"""The value oracle: what predicates reveal together, and when answering alone must stop."""

import math

import pytest

from wallet.consent.probing import (
    Interval,
    assess,
    constraint,
    describe,
    known,
    too_narrow,
    width,
)

BIRTH = 19900415
INCOME = 42000


@pytest.mark.parametrize(
    ("p_type", "p_value", "truth", "expected"),
    [
        (">=", 10, True, Interval(10, None)),
        (">=", 10, False, Interval(None, 9)),
        (">", 10, True, Interval(11, None)),
        (">", 10, False, Interval(None, 10)),
        ("<=", 10, True, Interval(None, 10)),
        ("<=", 10, False, Interval(11, None)),
        ("<", 10, True, Interval(None, 9)),
        ("<", 10, False, Interval(10, None)),
    ],
)
def test_each_answer_confines_the_value_to_one_side(p_type, p_value, truth, expected):
    assert constraint(p_type, p_value, truth) == expected


def test_unknown_predicate_type_is_refused():
    with pytest.raises(ValueError, match="unknown predicate"):
        constraint("==", 1, True)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ([], Interval()),
        ([("<=", 20081129)], Interval(None, 20081129)),
        ([("<=", 20081129), (">=", 19800101)], Interval(19800101, 20081129)),
        # A predicate that is false for the value still tells: the firm saw no answer.
        ([("<=", 19800101)], Interval(19800102, None)),
        ([(">=", 19900415), ("<=", 19900415)], Interval(19900415, 19900415)),
    ],
)
def test_known_interval_is_what_all_asked_predicates_reveal_together(asked, expected):
    assert known(asked, BIRTH) == expected


@pytest.mark.parametrize(
    ("interval", "kind", "narrow"),
    [
        (Interval(19890416, 19900415), "dateint", False),  # a year
        (Interval(19900101, 19900415), "dateint", True),  # three and a half months
        (Interval(None, 19900415), "dateint", False),  # one side only
        (Interval(40000, 45000), "integer", False),  # 5001 >= 10% of 45000
        (Interval(40000, 43000), "integer", True),
        (Interval(5, 4), "integer", False),  # empty: nothing to protect
    ],
)
def test_too_narrow_defaults_are_a_year_and_a_tenth(interval, kind, narrow):
    assert too_narrow(interval, kind) is narrow


def test_width_of_dates_counts_days_across_month_and_year_ends():
    assert width(Interval(20231231, 20240101), "dateint") == pytest.approx(2, abs=0.1)
    assert width(Interval(20230101, 20231231), "dateint") == pytest.approx(365, abs=1.5)
    assert width(Interval(40000, 40000), "integer") == 1
    assert width(Interval(None, 1), "dateint") == math.inf


def test_first_age_check_is_answered_alone():
    found = assess("birthdate_dateint", "dateint", [], [("<=", 20081129)], BIRTH)
    assert found.automatic and not found.warns
    assert found.after == Interval(None, 20081129)


def test_second_sided_check_that_leaves_years_is_answered_alone_and_shown():
    found = assess("birthdate_dateint", "dateint", [("<=", 20081129)], [(">=", 19700101)], BIRTH)
    assert found.automatic
    assert found.after == Interval(19700101, 20081129)
    assert found.warns  # the consent screen says what the firm knows together


def test_request_that_would_pin_the_value_within_a_year_is_not_answered_alone():
    found = assess("birthdate_dateint", "dateint", [("<=", 19901231)], [(">=", 19900301)], BIRTH)
    assert not found.automatic and found.warns
    assert found.after == Interval(19900301, 19901231)


def test_decision_does_not_depend_on_the_hidden_value():
    # Two people whose values fall on either side of the new threshold get the same
    # decision for the same history of thresholds... when their histories agree.
    earlier = [("<=", 20081129), (">=", 19500101)]
    new = [(">=", 19900101)]
    young = assess("birthdate_dateint", "dateint", earlier, new, 19950101)
    old = assess("birthdate_dateint", "dateint", earlier, new, 19700101)
    assert young.automatic == old.automatic


@pytest.mark.parametrize(
    ("value", "kind", "limit"), [(BIRTH, "dateint", 365), (INCOME, "integer", 0.1)]
)
def test_bisection_by_automatic_answers_never_narrows_below_the_allowed_width(value, kind, limit):
    """A firm bisecting with moving thresholds, answered only when the guard allows."""
    lo, hi = (19000101, 20261201) if kind == "dateint" else (0, 10_000_000)
    asked, answered = [], 0
    for _ in range(64):
        middle = (lo + hi) // 2
        found = assess("x", kind, asked, [(">=", middle)], value)
        if not found.automatic:
            break  # the person is asked from here on
        asked.append((">=", middle))
        answered += 1
        if value >= middle:
            lo = middle
        else:
            hi = middle - 1
    firm_knows = known(asked, value)
    assert answered >= 3
    assert not too_narrow(firm_knows, kind)
    if kind == "integer":
        assert width(firm_knows, kind) >= limit * max(abs(firm_knows.lo), abs(firm_knows.hi))
    else:
        assert width(firm_knows, kind) >= limit


def test_several_new_predicates_are_judged_together():
    found = assess("annual_income", "integer", [], [(">=", 41000), ("<=", 43000)], INCOME)
    assert not found.automatic
    assert found.after == Interval(41000, 43000)


def test_too_many_new_predicates_on_one_attribute_are_never_answered_alone():
    new = [(">=", n) for n in range(0, 7000, 1000)]
    assert not assess("annual_income", "integer", [], new, INCOME).automatic


def test_person_may_allow_a_narrower_width():
    found = assess("annual_income", "integer", [], [(">=", 41000), ("<=", 43000)], INCOME, 1000)
    assert found.automatic


@pytest.mark.parametrize(
    ("interval", "kind", "label", "words"),
    [
        (
            Interval(19890416, 19900415),
            "dateint",
            "Date of birth",
            "your date of birth lies between 16 April 1989 and 15 April 1990",
        ),
        (
            Interval(None, 20081129),
            "dateint",
            "Date of birth",
            "your date of birth is at most 29 November 2008",
        ),
        (
            Interval(30000, None),
            "integer",
            "Annual income",
            "your annual income is at least 30 000",
        ),
        (
            Interval(42000, 42000),
            "integer",
            "Annual income",
            "your annual income is exactly 42 000",
        ),
        (
            Interval(None, 2147483648),
            "dateint",
            "Date of birth",
            "your date of birth is at most 2147483648",
        ),
        (Interval(), "integer", "Annual income", "nothing about your annual income"),
    ],
)
def test_intervals_are_said_in_words(interval, kind, label, words):
    assert describe(interval, kind, label) == words
