"""Tests for the did:tessera identifier scheme."""

import base58
import pytest
from acapy_agent.anoncreds.default.did_web.registry import DIDWebRegistry
from acapy_agent.anoncreds.default.legacy_indy.registry import LegacyIndyRegistry

from wallet.errors import InputError
from wallet.registry.ids import (
    CRED_DEF,
    REV_REG_DEF,
    SCHEMA,
    SUPPORTED_IDENTIFIERS,
    ObjectId,
    is_issuer_id,
    issuer_id_from_did_key,
    issuer_id_from_public_key,
    issuer_public_key,
    issuer_verkey,
    multibase_key,
    object_id,
    parse_object_id,
)

PUBLIC_KEY = bytes(range(32))
MB = multibase_key(PUBLIC_KEY)
ISSUER = f"did:tessera:{MB}"
DIGEST = base58.b58encode(bytes(range(100, 132))).decode()
X25519_MB = "z" + base58.b58encode(b"\xec\x01" + PUBLIC_KEY).decode()

VALID_OBJECT_IDS = [
    (f"{ISSUER}/schema/{DIGEST}", SCHEMA),
    (f"{ISSUER}/creddef/{DIGEST}", CRED_DEF),
    (f"{ISSUER}/revreg/{DIGEST}", REV_REG_DEF),
]

INVALID_IDS = [
    ("", "empty"),
    ("did:tessera:", "no key"),
    (f"did:key:{MB}", "did:key, not did:tessera"),
    (f"did:tessera:{MB[1:]}", "no multibase prefix"),
    (f"did:tessera:{MB[:-1]}", "key one character short"),
    (f"did:tessera:{MB}1", "key one character long"),
    (f"did:tessera:{X25519_MB}", "x25519 multicodec"),
    (f"{ISSUER}\n", "trailing newline"),
    (f"{ISSUER}/schema", "no digest"),
    (f"{ISSUER}/schema/", "empty digest"),
    (f"{ISSUER}/credential/{DIGEST}", "unknown kind"),
    (f"{ISSUER}/schema/{DIGEST}/extra", "extra path segment"),
    (f"{ISSUER}/schema/{DIGEST[:-1]}0", "digest has a non-base58 character"),
    (f"{ISSUER}/schema/{DIGEST[:20]}", "digest too short"),
    (f"{ISSUER}/schema/{DIGEST}?v=1", "query"),
    (f"{ISSUER}#key-1", "fragment"),
    (f"did:TESSERA:{MB}", "method in upper case"),
]

FOREIGN_IDS = [
    "did:sov:WgWxqztrNooG92RXvxSTWv",
    "WgWxqztrNooG92RXvxSTWv",
    "WgWxqztrNooG92RXvxSTWv:2:schema_name:1.0",
    "WgWxqztrNooG92RXvxSTWv:3:CL:20:tag",
    "WgWxqztrNooG92RXvxSTWv:4:WgWxqztrNooG92RXvxSTWv:3:CL:20:tag:CL_ACCUM:0",
    "did:indy:sovrin:WgWxqztrNooG92RXvxSTWv",
    "did:indy:sovrin:WgWxqztrNooG92RXvxSTWv/anoncreds/v0/SCHEMA/name/1.0",
    "did:web:example.com",
    "did:web:example.com/schema/abc",
    f"did:key:{MB}",
    f"did:web:example.com:did:tessera:{MB}",
]


def test_issuer_id_carries_the_public_key():
    """The issuer id is did:tessera plus the did:key multibase of the key."""
    assert ISSUER.startswith("did:tessera:z6Mk")
    assert issuer_id_from_public_key(PUBLIC_KEY) == ISSUER
    assert issuer_public_key(ISSUER) == PUBLIC_KEY
    assert issuer_verkey(ISSUER) == base58.b58encode(PUBLIC_KEY).decode()
    assert is_issuer_id(ISSUER)


def test_issuer_id_from_did_key_keeps_the_multibase():
    """An ACA-Py did:key becomes an issuer id by swapping the method."""
    assert issuer_id_from_did_key(f"did:key:{MB}") == ISSUER


@pytest.mark.parametrize(
    "did", ["did:sov:WgWxqztrNooG92RXvxSTWv", f"did:key:{X25519_MB}", "did:key:z6Mk"]
)
def test_issuer_id_from_did_key_rejects_other_dids(did):
    """Only Ed25519 did:key values convert."""
    with pytest.raises(InputError):
        issuer_id_from_did_key(did)


@pytest.mark.parametrize("key", [b"", bytes(31), bytes(33)])
def test_multibase_key_rejects_wrong_key_lengths(key):
    """An Ed25519 public key has 32 bytes."""
    with pytest.raises(InputError):
        multibase_key(key)


@pytest.mark.parametrize(("value", "kind"), VALID_OBJECT_IDS)
def test_valid_object_ids_parse_and_match_the_regex(value, kind):
    """Every object kind parses, round-trips and is claimed by the registry regex."""
    parsed = parse_object_id(value)
    assert parsed == ObjectId(ISSUER, kind, DIGEST)
    assert str(parsed) == value
    assert parse_object_id(value, kind) == parsed
    assert SUPPORTED_IDENTIFIERS.match(value)


def test_regex_matches_issuer_ids_for_registrar_selection():
    """ACA-Py picks the registrar by issuerId, so the bare issuer id must match too."""
    assert SUPPORTED_IDENTIFIERS.match(ISSUER)


@pytest.mark.parametrize(("value", "why"), INVALID_IDS)
def test_invalid_ids_are_rejected(value, why):
    """Malformed ids neither parse nor match the regex."""
    with pytest.raises(InputError):
        parse_object_id(value)
    assert not is_issuer_id(value), why
    assert not SUPPORTED_IDENTIFIERS.match(value), why


def test_parse_object_id_enforces_the_kind():
    """Asking for a schema id with a cred def id fails."""
    with pytest.raises(InputError, match="creddef, not a schema"):
        parse_object_id(f"{ISSUER}/creddef/{DIGEST}", SCHEMA)


def test_digest_must_be_32_bytes():
    """A base58 digest that decodes to another length is rejected."""
    long_digest = base58.b58encode(bytes([255]) * 33).decode()
    assert len(long_digest) <= 46
    short_digest = base58.b58encode(bytes([255]) * 24).decode()
    with pytest.raises(InputError):
        parse_object_id(f"{ISSUER}/schema/{short_digest}")


@pytest.mark.parametrize("value", FOREIGN_IDS)
def test_regex_leaves_other_methods_to_other_registries(value):
    """did:sov, Indy and did:web ids are not ours."""
    assert not SUPPORTED_IDENTIFIERS.match(value)


@pytest.mark.parametrize(
    "registry", [DIDWebRegistry(), LegacyIndyRegistry()], ids=lambda r: type(r).__name__
)
@pytest.mark.parametrize("value", [ISSUER] + [value for value, _kind in VALID_OBJECT_IDS])
def test_builtin_registries_do_not_claim_tessera_ids(registry, value):
    """ACA-Py's own registries leave our ids alone, so selection is unambiguous."""
    assert not registry.supported_identifiers_regex.match(value)


def test_object_id_is_content_addressed():
    """Same content in any key order gives the same id; other content another id."""
    content = {"name": "n", "version": "1.0", "attrNames": ["a"], "issuerId": ISSUER}
    reordered = dict(reversed(list(content.items())))
    first = object_id(SCHEMA, ISSUER, content)
    assert first == object_id(SCHEMA, ISSUER, reordered)
    assert first != object_id(SCHEMA, ISSUER, {**content, "version": "1.1"})
    assert first != object_id(CRED_DEF, ISSUER, content)
    assert parse_object_id(first, SCHEMA).issuer_id == ISSUER


@pytest.mark.parametrize(
    ("kind", "issuer"), [("revlist", ISSUER), (SCHEMA, "did:sov:WgWxqztrNooG92RXvxSTWv")]
)
def test_object_id_rejects_unknown_kinds_and_foreign_issuers(kind, issuer):
    """Only the three object kinds, only did:tessera issuers."""
    with pytest.raises(InputError):
        object_id(kind, issuer, {"issuerId": issuer})
