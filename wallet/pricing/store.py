"""Where the person's price list is kept: one JSON file, written atomically."""

import json
import os
from pathlib import Path

from ..errors import InputError
from .price_list import PriceList, parse_price_list

FILE_NAME = "price-list.json"
DEFAULT = {
    "version": 1,
    "currency": "EUR",
    "attribute": "0.50",
    "predicate": "0.10",
    "attributes": {},
    "predicates": {},
    "purposes": {"identity-check": "1", "age-check": "1", "marketing": "4", "research": "2"},
    "floor_ratio": "0.8",
}


def load(directory):
    """Return the saved price list, or the default one if none was saved yet."""
    path = Path(directory) / FILE_NAME
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return parse_price_list(DEFAULT)
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"Cannot read your price list {path}: {exc}; fix or delete it.") from exc
    return parse_price_list(data)


def save(directory, prices):
    """Write a `PriceList` (checked again) as owner-only JSON; return its path."""
    if not isinstance(prices, PriceList):
        prices = parse_price_list(prices)
    path = Path(directory) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(prices.to_json(), handle, indent=2, sort_keys=True)
    os.replace(tmp, path)
    return path
