"""Where the person's price list is kept: one JSON file, written atomically and durably."""

from pathlib import Path

from .. import durable
from ..errors import InputError
from .price_list import PriceList, parse_price_list

FILE_NAME = "price-list.json"
# An example to start from: a fresh wallet has no prices until the person saves some.
DEFAULT = {
    "version": 1,
    "currency": "EUR",
    "attribute": "0.50",
    "predicate": "0.10",
    "attributes": {},
    "predicates": {},
    "purposes": {"identity-check": "1", "age-check": "1", "marketing": "4", "research": "2"},
    "floor_ratio": "0.8",
    "auto_counter": False,
    "auto_accept": None,
}


def load(directory):
    """Return the saved price list, or None: a person who set no prices has none."""
    path = Path(directory) / FILE_NAME
    try:
        data = durable.read_json(
            path, missing=None, advice="fix or delete it; until then no prices apply."
        )
    except OSError as exc:
        raise InputError(f"Cannot read your price list {path}: {exc.strerror}.") from exc
    return None if data is None else parse_price_list(data)


def save(directory, prices):
    """Write a `PriceList` (checked again) as owner-only JSON; return its path."""
    if not isinstance(prices, PriceList):
        prices = parse_price_list(prices)
    return durable.write_json(
        Path(directory) / FILE_NAME, prices.to_json(), indent=2, sort_keys=True
    )
