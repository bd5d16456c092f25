"""The `did:tessera` identifier scheme for ledger-less AnonCreds objects.

An issuer id is `did:tessera:<mb>`, where `<mb>` is the multibase part of the issuer's
Ed25519 `did:key` (`z` + base58btc of the multicodec prefix 0xed01 and the 32-byte public
key), so the id itself carries the key that signs everything the issuer publishes.

Object ids are content-addressed: `<issuer id>/<kind>/<digest>`, with kind `schema`,
`creddef` or `revreg` and digest the base58 SHA-256 of the object's canonical JSON.
Revocation lists have no id of their own: they are a history kept under their
revocation registry definition's id.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

import base58

from ..errors import InputError
from .canonical import content_digest

METHOD_PREFIX = "did:tessera:"
DID_KEY_PREFIX = "did:key:"
SCHEMA = "schema"
CRED_DEF = "creddef"
REV_REG_DEF = "revreg"
OBJECT_KINDS = (SCHEMA, CRED_DEF, REV_REG_DEF)

_ED25519_CODEC = b"\xed\x01"
_B58 = "1-9A-HJ-NP-Za-km-z"
# 0xed01 + 32 bytes is always 47 base58 characters starting "6Mk".
_MULTIBASE = rf"z6Mk[{_B58}]{{44}}"
_DIGEST = rf"[{_B58}]{{32,44}}"
_KINDS = "|".join(OBJECT_KINDS)

ISSUER_ID_PATTERN = re.compile(rf"^did:tessera:(?P<mb>{_MULTIBASE})\Z")
OBJECT_ID_PATTERN = re.compile(
    rf"^(?P<issuer>did:tessera:{_MULTIBASE})/(?P<kind>{_KINDS})/(?P<digest>{_DIGEST})\Z"
)
SUPPORTED_IDENTIFIERS = re.compile(rf"^did:tessera:{_MULTIBASE}(?:/(?:{_KINDS})/{_DIGEST})?\Z")


@dataclass(frozen=True)
class ObjectId:
    """A parsed object id: issuer id, kind and content digest."""

    issuer_id: str
    kind: str
    digest: str

    def __str__(self) -> str:
        """Return the id as a string."""
        return f"{self.issuer_id}/{self.kind}/{self.digest}"


def multibase_key(public_key: bytes) -> str:
    """Return the multibase (`z6Mk...`) form of a raw Ed25519 public key."""
    if len(public_key) != 32:
        raise InputError(f"An Ed25519 public key has 32 bytes, not {len(public_key)}")
    return "z" + base58.b58encode(_ED25519_CODEC + public_key).decode("ascii")


def issuer_id_from_public_key(public_key: bytes) -> str:
    """Return the issuer id for a raw Ed25519 public key."""
    return METHOD_PREFIX + multibase_key(public_key)


def issuer_id_from_did_key(did_key: str) -> str:
    """Turn an Ed25519 `did:key:z6Mk...` (from POST /wallet/did/create) into an issuer id."""
    if not did_key.startswith(DID_KEY_PREFIX):
        raise InputError(f"{did_key!r} is not a did:key; create one with method 'key'")
    issuer_id = METHOD_PREFIX + did_key.removeprefix(DID_KEY_PREFIX)
    issuer_public_key(issuer_id)
    return issuer_id


def issuer_public_key(issuer_id: str) -> bytes:
    """Return the raw Ed25519 public key that an issuer id carries."""
    match = ISSUER_ID_PATTERN.match(issuer_id)
    if not match:
        raise InputError(
            f"{issuer_id!r} is not a did:tessera issuer id; build it from an Ed25519 "
            "did:key as did:tessera:z6Mk..."
        )
    raw = base58.b58decode(match["mb"][1:])
    if len(raw) != 34 or not raw.startswith(_ED25519_CODEC):
        raise InputError(f"{issuer_id!r} does not carry an Ed25519 public key")
    return raw[2:]


def issuer_verkey(issuer_id: str) -> str:
    """Return the base58 verkey under which ACA-Py's wallet holds the issuer's key."""
    return base58.b58encode(issuer_public_key(issuer_id)).decode("ascii")


def is_issuer_id(value: str) -> bool:
    """Tell whether a string is a well-formed did:tessera issuer id."""
    try:
        issuer_public_key(value)
    except InputError:
        return False
    return True


def object_id(kind: str, issuer_id: str, content: Mapping) -> str:
    """Build the content-addressed id of an object of `kind` published by `issuer_id`."""
    if kind not in OBJECT_KINDS:
        raise InputError(f"Unknown registry object kind {kind!r}; use one of {OBJECT_KINDS}")
    issuer_public_key(issuer_id)
    return str(ObjectId(issuer_id, kind, content_digest(content)))


def parse_object_id(value: str, kind: str | None = None) -> ObjectId:
    """Parse and validate an object id, optionally requiring a kind."""
    match = OBJECT_ID_PATTERN.match(value)
    if not match:
        raise InputError(
            f"{value!r} is not a did:tessera object id (did:tessera:z6Mk.../<kind>/<digest>)"
        )
    if kind is not None and match["kind"] != kind:
        raise InputError(f"{value!r} names a {match['kind']}, not a {kind}")
    issuer_public_key(match["issuer"])
    if len(base58.b58decode(match["digest"])) != 32:
        raise InputError(f"{value!r} has a digest that is not a SHA-256 hash")
    return ObjectId(match["issuer"], match["kind"], match["digest"])
