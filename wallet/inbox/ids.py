"""The identifiers the inbox takes from outside: person ids, recipient keys, delivery targets."""

import re
import secrets
from urllib.parse import urlsplit

from .envelope import KID
from .errors import BadRequest, UnknownPerson

PERSON_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def check_person_id(person_id):
    """Return `person_id` if it is a well-formed opaque id, else raise `UnknownPerson`."""
    if not isinstance(person_id, str) or not PERSON_ID.match(person_id):
        raise UnknownPerson("No inbox has that id; check the endpoint URL.")
    return person_id


def new_person_id():
    """Return a fresh opaque person id (random, URL-safe)."""
    return secrets.token_urlsafe(18)


def check_kids(kids):
    """Return `kids` as a list of well-formed recipient key ids, or raise `BadRequest`."""
    if not isinstance(kids, list) or not all(isinstance(k, str) and KID.match(k) for k in kids):
        raise BadRequest("Recipient keys must be a list of key ids (base58 verkeys).")
    return kids


def check_target(url):
    """Return `url` if it is an http URL on loopback (the agent's inbound port)."""
    try:
        parts = urlsplit(url)
        loopback = parts.hostname in ("127.0.0.1", "localhost") and bool(parts.port)
    except (ValueError, TypeError, AttributeError):
        loopback = False
    if not loopback or parts.scheme != "http":
        raise BadRequest(
            f"Delivery target {str(url)[:200]!r} must be http://127.0.0.1:PORT (loopback only)."
        )
    return url
