"""Canonical JSON and content digests for registry objects.

The canonical form is UTF-8 JSON with sorted keys, no insignificant whitespace and no
floats (AnonCreds objects hold only strings, integers, lists and maps). For such values with
ASCII keys, as AnonCreds has, it coincides with RFC 8785 (JCS), so another implementation can
recompute digests and signature payloads byte for byte.
"""

import hashlib
import json
from collections.abc import Mapping

import base58

from ..errors import InputError


def _check(value, path: str) -> None:
    """Reject values whose JSON text would not be canonical."""
    if isinstance(value, float):
        raise InputError(f"Registry content holds a float at {path}; use an integer or a string")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(f"Registry content has a non-string key {key!r} at {path}")
            _check(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")


def canonical_json(value) -> bytes:
    """Serialise a JSON value canonically (sorted keys, compact, UTF-8, no floats)."""
    _check(value, "$")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_digest(content: Mapping) -> str:
    """Return base58 of SHA-256 over the canonical JSON of `content`."""
    return base58.b58encode(hashlib.sha256(canonical_json(content)).digest()).decode("ascii")
