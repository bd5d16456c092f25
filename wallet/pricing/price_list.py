"""The person's price list, the price of one request, and the answer to a firm's offer."""

from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import InputError
from .money import Money, minor_units, parse_amount

VERSION = 1
DECISIONS = ("accept", "ask", "counter")


@dataclass(frozen=True)
class PriceList:
    """Prices per revealed attribute and per predicate, multipliers by purpose, a floor.

    `floor_ratio` is the share of the asking price below which an offer is countered
    automatically; between the floor and the asking price the person is asked.
    """

    currency: str
    attribute: Decimal
    predicate: Decimal
    attributes: dict = field(default_factory=dict)
    predicates: dict = field(default_factory=dict)
    purposes: dict = field(default_factory=dict)
    floor_ratio: Decimal = Decimal(1)

    def to_json(self):
        """Return the versioned JSON document the price list is stored as (amounts as text)."""
        return {
            "version": VERSION,
            "currency": self.currency,
            "attribute": f"{self.attribute:f}",
            "predicate": f"{self.predicate:f}",
            "attributes": {k: f"{v:f}" for k, v in sorted(self.attributes.items())},
            "predicates": {k: f"{v:f}" for k, v in sorted(self.predicates.items())},
            "purposes": {k: f"{v:f}" for k, v in sorted(self.purposes.items())},
            "floor_ratio": f"{self.floor_ratio:f}",
        }


def _amounts(data, key):
    raw = data.get(key) or {}
    if not isinstance(raw, dict):
        raise InputError(f"price list '{key}' must map names to amounts.")
    return {str(k): parse_amount(v, f"{key}.{k}") for k, v in raw.items()}


def parse_price_list(data):
    """Validate a stored price list document and return a `PriceList`."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise InputError(f'A price list must be a JSON object with "version": {VERSION}.')
    currency = data.get("currency")
    minor_units(currency)
    ratio = parse_amount(data.get("floor_ratio", "1"), "floor_ratio")
    if ratio > 1:
        raise InputError("floor_ratio must be between 0 and 1: the floor is a share of the price.")
    return PriceList(
        currency=currency,
        attribute=parse_amount(data.get("attribute"), "attribute"),
        predicate=parse_amount(data.get("predicate"), "predicate"),
        attributes=_amounts(data, "attributes"),
        predicates=_amounts(data, "predicates"),
        purposes=_amounts(data, "purposes"),
        floor_ratio=ratio,
    )


@dataclass(frozen=True)
class Quote:
    """What the person asks for one disclosure, and the floor below which they counter."""

    asking: Money
    floor: Money
    lines: tuple = ()


def quote(prices, revealed, predicates, purpose):
    """Price a disclosure of attribute names `revealed` and predicate names `predicates`."""
    lines = [(f"attribute {n}", prices.attributes.get(n, prices.attribute)) for n in revealed]
    lines += [(f"predicate {n}", prices.predicates.get(n, prices.predicate)) for n in predicates]
    multiplier = prices.purposes.get(purpose, Decimal(1))
    total = sum((amount for _, amount in lines), Decimal(0)) * multiplier
    asking = Money.rounded(total, prices.currency)
    floor = Money.rounded(asking.amount * prices.floor_ratio, prices.currency)
    return Quote(asking, floor, (*lines, (f"purpose {purpose}", multiplier)))


@dataclass(frozen=True)
class Answer:
    """The wallet's answer to an offered price: accept, ask the person, or counter."""

    decision: str
    price: Money
    reason: str


def answer(offered, q):
    """Compare an offered `Money` with a `Quote`."""
    if offered.currency != q.asking.currency:
        return Answer(
            "counter",
            q.asking,
            f"You price in {q.asking.currency}; the firm offered {offered.currency}.",
        )
    if offered.amount >= q.asking.amount:
        return Answer("accept", offered, f"{offered} meets your price of {q.asking}.")
    if offered.amount >= q.floor.amount:
        return Answer(
            "ask", offered, f"{offered} is below your price {q.asking}, above your floor."
        )
    return Answer("counter", q.asking, f"{offered} is below your floor of {q.floor}.")
