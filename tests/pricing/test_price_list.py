"""Price computation: per attribute and predicate, purpose multipliers, floor and counter."""

from decimal import Decimal

import pytest

from wallet.errors import InputError
from wallet.pricing.money import Money
from wallet.pricing.price_list import answer, parse_price_list, quote

DOC = {
    "version": 1,
    "currency": "EUR",
    "attribute": "0.40",
    "predicate": "0.10",
    "attributes": {"nationality": "0.30"},
    "predicates": {"annual_income": "0.20"},
    "purposes": {"marketing": "3", "identity-check": "0.5"},
    "floor_ratio": "0.8",
}


@pytest.fixture
def prices():
    return parse_price_list(DOC)


def eur(text):
    return Money("EUR", Decimal(text))


@pytest.mark.parametrize(
    ("revealed", "predicates", "purpose", "asking"),
    [
        (["nationality"], [], "age-check", "0.30"),
        (["given_name"], [], "age-check", "0.40"),
        ([], ["birthdate_dateint"], "age-check", "0.10"),
        ([], ["annual_income"], "age-check", "0.20"),
        (["nationality"], ["birthdate_dateint", "annual_income"], "age-check", "0.60"),
        (["nationality"], ["birthdate_dateint", "annual_income"], "marketing", "1.80"),
        (["nationality"], ["birthdate_dateint", "annual_income"], "identity-check", "0.30"),
        (["given_name"], ["birthdate_dateint"], "identity-check", "0.25"),
        ([], [], "marketing", "0.00"),
    ],
)
def test_quote_prices_each_item_and_purpose(prices, revealed, predicates, purpose, asking):
    assert quote(prices, revealed, predicates, purpose).asking == eur(asking)


def test_predicate_can_be_priced_below_the_attribute(prices):
    assert (
        quote(prices, [], ["x"], "age-check").asking < quote(prices, ["x"], [], "age-check").asking
    )


def test_marketing_costs_more_than_identity_check(prices):
    items = (["nationality"], ["birthdate_dateint"])
    assert (
        quote(prices, *items, "marketing").asking > quote(prices, *items, "identity-check").asking
    )


def test_floor_is_a_share_of_the_asking_price(prices):
    q = quote(prices, ["nationality"], ["birthdate_dateint", "annual_income"], "marketing")
    assert q.floor == eur("1.44")


@pytest.mark.parametrize(
    ("offered", "decision", "price"),
    [
        (eur("1.80"), "accept", eur("1.80")),
        (eur("2.00"), "accept", eur("2.00")),
        (eur("1.44"), "ask", eur("1.44")),
        (eur("1.79"), "ask", eur("1.79")),
        (eur("1.43"), "counter", eur("1.80")),
        (eur("0"), "counter", eur("1.80")),
        (Money("USD", Decimal("5.00")), "counter", eur("1.80")),
    ],
)
def test_answer_accepts_asks_or_counters(prices, offered, decision, price):
    q = quote(prices, ["nationality"], ["birthdate_dateint", "annual_income"], "marketing")
    result = answer(offered, q)
    assert (result.decision, result.price) == (decision, price)
    assert result.reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"version": 2}, "version"),
        ({"currency": "ABC"}, "ISO 4217"),
        ({"attribute": 0.4}, "never floating-point"),
        ({"predicate": "-0.1"}, "negative"),
        ({"purposes": {"marketing": "x"}}, "not a decimal"),
        ({"floor_ratio": "1.5"}, "between 0 and 1"),
        ({"attributes": ["nationality"]}, "map names"),
    ],
)
def test_bad_price_list_is_refused(change, reason):
    with pytest.raises(InputError, match=reason):
        parse_price_list({**DOC, **change})


def test_price_list_round_trips(prices):
    assert parse_price_list(prices.to_json()) == prices


def test_price_list_file_round_trips(tmp_path, prices):
    from wallet.pricing import store

    assert store.load(tmp_path) is None  # a fresh wallet has no prices: nobody chose any
    store.save(tmp_path, prices)
    assert store.load(tmp_path) == prices
    (tmp_path / store.FILE_NAME).write_text("{broken")
    with pytest.raises(InputError, match="fix or delete it"):
        store.load(tmp_path)
