"""Dates, durations and purposes in words (#19.8), and Enter in the decline form (#22.2)."""

import datetime

import pytest

from wallet.web import words


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("19900412", "12 April 1990"),
        (19900412, "12 April 1990"),
        ("1990-04-12", "12 April 1990"),
        ("2026-12-01T01:36:09.081767Z", "1 December 2026, 01:36 UTC"),
        (datetime.date(2024, 12, 1), "1 December 2024"),
        ("2026-11", "November 2026"),  # a month (earnings by month)
        ("2026-13", "2026-13"),
        ("19901341", "19901341"),  # not a date: unchanged
        ("FR", "FR"),
    ],
)
def test_date_words(value, shown):
    assert words.date_words(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("P30D", "30 days"),
        ("P1Y", "1 year"),
        ("P1Y6M", "1 year and 6 months"),
        ("P1W", "1 week"),
        ("PT1H30M", "1 hour and 30 minutes"),
        ("forever", "forever"),
    ],
)
def test_duration_words(value, shown):
    assert words.duration_words(value) == shown


def test_purposes_and_counts_in_words():
    assert words.purpose_words("credit-check") == "a credit check"
    assert words.count_words(1, "item") == "1 item" and words.count_words(3, "item") == "3 items"
    assert words.name_words("birthdate_dateint") == "birthdate"


def test_enter_in_the_decline_form_declines_nothing(unlocked, fake):
    from .fake_agent import INCOME, NATIONAL_ID

    fake.add_credential(NATIONAL_ID)
    fake.add_credential(INCOME)
    asked = fake.add_request()
    path = f"/requests/{asked}"
    held = unlocked.post(f"{path}/decline", {"enter": "1", "code": "price"}, form_page=path)
    assert held.status_code == 200 and "Nothing was declined" in held.get_data(as_text=True)
    assert not [p for m, p, b in fake.posted if "problem-report" in p]
