"""Money parsing: exact decimals, ISO 4217 codes, floats and negatives refused."""

from decimal import Decimal

import pytest

from wallet.errors import InputError
from wallet.pricing.money import Money


@pytest.mark.parametrize(
    ("data", "amount"),
    [
        ({"amount": "1.50", "currency": "EUR"}, Decimal("1.50")),
        ({"amount": "0", "currency": "EUR"}, Decimal(0)),
        ({"amount": "120", "currency": "JPY"}, Decimal(120)),
        ({"amount": "0.125", "currency": "KWD"}, Decimal("0.125")),
    ],
)
def test_valid_money_parses_exactly(data, amount):
    money = Money.parse(data)
    assert money.amount == amount and isinstance(money.amount, Decimal)
    assert Money.parse(money.to_json()) == money


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"amount": "-1.00", "currency": "EUR"}, "negative"),
        ({"amount": 1.5, "currency": "EUR"}, "never floating-point"),
        ({"amount": 2, "currency": "EUR"}, "as text"),
        ({"amount": True, "currency": "EUR"}, "as text"),
        ({"amount": "1,50", "currency": "EUR"}, "not a decimal amount"),
        ({"amount": "1e3", "currency": "EUR"}, "not a decimal amount"),
        ({"amount": "NaN", "currency": "EUR"}, "not a decimal amount"),
        ({"amount": "", "currency": "EUR"}, "not a decimal amount"),
        ({"amount": "1.00", "currency": "XYZ"}, "ISO 4217"),
        ({"amount": "1.00", "currency": "eur"}, "ISO 4217"),
        ({"amount": "1.00"}, "ISO 4217"),
        ({"amount": "1.005", "currency": "EUR"}, "more decimals"),
        ({"amount": "1.5", "currency": "JPY"}, "more decimals"),
        ("1.00 EUR", "must be an object"),
    ],
)
def test_bad_money_is_refused_with_reason(data, reason):
    with pytest.raises(InputError, match=reason):
        Money.parse(data)


def test_sum_of_tenths_is_exact():
    total = sum(Money.parse({"amount": "0.10", "currency": "EUR"}).amount for _ in range(3))
    assert total == Decimal("0.30")


def test_rounding_is_half_up_to_minor_units():
    assert Money.rounded(Decimal("0.125"), "EUR").amount == Decimal("0.13")
    assert Money.rounded(Decimal("99.5"), "JPY").amount == Decimal(100)
