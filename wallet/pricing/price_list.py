"""The person's price list, the price of one request, and the answer to a firm's offer."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import InputError
from ..receipts.vocabulary import PURPOSES, parse_duration
from .money import Money, minor_units, parse_amount

VERSION = 1
DECISIONS = ("accept", "ask", "counter")


_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class AcceptRule:
    """The person's own rule for accepting terms without a click: it names every term.

    An offer is accepted automatically only when its purpose is one of `purposes`, it
    keeps the answer no longer than `max_retention`, it shares onward only if
    `onward_sharing` allows it, and it pays at least the person's price.
    """

    purposes: tuple
    max_retention: str
    onward_sharing: bool = False

    def covers(self, terms):
        """Return "" if the offered `terms` body meets the rule, else what does not."""
        if terms.get("purpose") not in self.purposes:
            return "its purpose is not one your rule accepts"
        try:
            kept = parse_duration(terms.get("retention"))
        except InputError:
            return "it does not say how long it keeps your answer"
        if kept.after(_EPOCH) > parse_duration(self.max_retention).after(_EPOCH):
            return "it keeps your answer longer than your rule allows"
        if terms.get("onward_sharing") is not False and not self.onward_sharing:
            return "it shares your answer onward"
        return ""

    def to_json(self):
        """Return the stored form."""
        return {
            "purposes": list(self.purposes),
            "max_retention": self.max_retention,
            "onward_sharing": self.onward_sharing,
        }


def parse_accept_rule(data):
    """Validate the stored accept rule (None: no automatic acceptance)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InputError("auto_accept must be an object naming purposes, retention and sharing.")
    purposes = data.get("purposes")
    if not isinstance(purposes, list) or not purposes:
        raise InputError("auto_accept.purposes must name at least one purpose.")
    for purpose in purposes:
        if purpose not in PURPOSES:
            raise InputError(f"auto_accept: '{purpose}' is not one of: {', '.join(PURPOSES)}.")
    retention = data.get("max_retention")
    parse_duration(retention, "auto_accept.max_retention")
    sharing = data.get("onward_sharing", False)
    if not isinstance(sharing, bool):
        raise InputError("auto_accept.onward_sharing must be true or false.")
    return AcceptRule(tuple(purposes), retention, sharing)


@dataclass(frozen=True)
class PriceList:
    """Prices per revealed attribute and per predicate, multipliers by purpose, a floor.

    Nothing is answered without the person unless they turned it on: `auto_counter`
    counters offers below `floor_ratio` of the asking price with the asking price, and
    `auto_accept` (an `AcceptRule`) accepts offers whose every term it names.
    """

    currency: str
    attribute: Decimal
    predicate: Decimal
    attributes: dict = field(default_factory=dict)
    predicates: dict = field(default_factory=dict)
    purposes: dict = field(default_factory=dict)
    floor_ratio: Decimal = Decimal(1)
    auto_counter: bool = False
    auto_accept: AcceptRule | None = None

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
            "auto_counter": self.auto_counter,
            "auto_accept": self.auto_accept.to_json() if self.auto_accept else None,
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
    auto_counter = data.get("auto_counter", False)
    if not isinstance(auto_counter, bool):
        raise InputError("auto_counter must be true or false.")
    return PriceList(
        currency=currency,
        attribute=parse_amount(data.get("attribute"), "attribute"),
        predicate=parse_amount(data.get("predicate"), "predicate"),
        attributes=_amounts(data, "attributes"),
        predicates=_amounts(data, "predicates"),
        purposes=_amounts(data, "purposes"),
        floor_ratio=ratio,
        auto_counter=auto_counter,
        auto_accept=parse_accept_rule(data.get("auto_accept")),
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
    """Compare an offered `Money` with a `Quote` (the price alone; see `automatic`)."""
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


def automatic(prices, terms, q):
    """Return the answer the wallet may send on its own to offered `terms`, or "ask".

    Accepting needs the person's `auto_accept` rule to name every term; countering needs
    `auto_counter` turned on. Anything else is left to the person.
    """
    offered = Money.parse(terms.get("price"))
    by_price = answer(offered, q)
    if by_price.decision == "accept":
        rule = prices.auto_accept
        if rule is None:
            return Answer("ask", offered, "You accept terms yourself: no rule accepts them.")
        missing = rule.covers(terms)
        if missing:
            return Answer("ask", offered, f"Your rule does not accept these terms: {missing}.")
        return by_price
    if by_price.decision == "counter" and not prices.auto_counter:
        return Answer("ask", offered, by_price.reason)
    return by_price
