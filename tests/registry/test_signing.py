"""Tests for canonical JSON, signed records and their verification."""

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wallet.errors import InputError, IntegrityError
from wallet.registry.canonical import canonical_json, content_digest
from wallet.registry.ids import CRED_DEF, REV_REG_DEF, SCHEMA, object_id
from wallet.registry.signing import (
    REV_LIST,
    SignedRecord,
    sign_record,
    signing_payload,
    verify_object,
    verify_rev_list_entry,
)

from .conftest import ISSUER_ID, issuer_id_of, issuer_key

KEY = issuer_key()
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(b"another-issuer-key-for-the-tests")
SCHEMA_CONTENT = {"issuerId": ISSUER_ID, "name": "n", "version": "1.0", "attrNames": ["a", "b"]}
SCHEMA_ID = object_id(SCHEMA, ISSUER_ID, SCHEMA_CONTENT)
REV_REG_ID = object_id(REV_REG_DEF, ISSUER_ID, {"issuerId": ISSUER_ID, "tag": "0"})
ENTRY_CONTENT = {
    "issuerId": ISSUER_ID,
    "revRegDefId": REV_REG_ID,
    "revocationList": [0, 1, 0],
    "currentAccumulator": "21 ABC",
    "timestamp": 1000,
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": 1, "a": [True, None, "x"]}, b'{"a":[true,null,"x"],"b":1}'),
        ({"z": {"y": 2, "x": 1}}, b'{"z":{"x":1,"y":2}}'),
        ({"name": "Zoë ✓"}, '{"name":"Zoë ✓"}'.encode()),
        ({"s": 'quote " and \\ and \n'}, b'{"s":"quote \\" and \\\\ and \\n"}'),
        ([], b"[]"),
    ],
)
def test_canonical_json_is_sorted_compact_utf8(value, expected):
    """Keys sorted, no whitespace, UTF-8 unescaped."""
    assert canonical_json(value) == expected


@pytest.mark.parametrize("value", [{"f": 1.5}, {"n": [1, 2.0]}, {1: "int key"}])
def test_canonical_json_rejects_non_canonical_values(value):
    """Floats and non-string keys have no single canonical form."""
    with pytest.raises(InputError):
        canonical_json(value)


def test_content_digest_ignores_key_order():
    """The digest is over canonical JSON."""
    assert content_digest({"a": 1, "b": 2}) == content_digest({"b": 2, "a": 1})


def test_payload_binds_kind_and_id():
    """The same content under another kind or id signs different bytes."""
    payload = signing_payload(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT)
    assert payload != signing_payload(CRED_DEF, SCHEMA_ID, SCHEMA_CONTENT)
    assert payload != signing_payload(SCHEMA, SCHEMA_ID + "x", SCHEMA_CONTENT)


def test_signed_object_verifies_and_survives_json():
    """A record signed by the issuer verifies, also after a storage round trip."""
    record = sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, KEY)
    verify_object(record, SCHEMA_ID)
    again = SignedRecord.from_json(record.to_json(), SCHEMA_ID)
    assert again == record
    verify_object(again, SCHEMA_ID)


def _tampered_objects():
    """Yield (case, record) pairs that must fail verification as SCHEMA_ID."""
    good = sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, KEY)
    edited = {**SCHEMA_CONTENT, "attrNames": ["a", "b", "c"]}
    yield "edited content", dataclasses.replace(good, content=edited)
    yield "edited and re-signed content", sign_record(SCHEMA, SCHEMA_ID, edited, KEY)
    yield "signed by another key", sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, OTHER_KEY)
    yield (
        "signature bit flipped",
        dataclasses.replace(good, signature=bytes([good.signature[0] ^ 1]) + good.signature[1:]),
    )
    yield "signature truncated", dataclasses.replace(good, signature=good.signature[:40])
    yield "record of another kind", sign_record(CRED_DEF, SCHEMA_ID, SCHEMA_CONTENT, KEY)
    other_content = {**SCHEMA_CONTENT, "version": "2.0"}
    other_id = object_id(SCHEMA, ISSUER_ID, other_content)
    yield "record of another object", sign_record(SCHEMA, other_id, other_content, KEY)
    foreign = {**SCHEMA_CONTENT, "issuerId": issuer_id_of(OTHER_KEY)}
    yield (
        "content of another issuer",
        sign_record(SCHEMA, object_id(SCHEMA, ISSUER_ID, foreign), foreign, KEY),
    )
    yield "float smuggled in", dataclasses.replace(good, content={**SCHEMA_CONTENT, "x": 0.5})


@pytest.mark.parametrize(("case", "record"), list(_tampered_objects()))
def test_tampered_objects_fail_their_integrity_check(case, record):
    """Edits, swaps and broken signatures all raise IntegrityError naming the object."""
    expected_id = record.id if case == "content of another issuer" else SCHEMA_ID
    with pytest.raises(IntegrityError, match="failed its integrity check") as caught:
        verify_object(record, expected_id)
    assert expected_id in str(caught.value)


def test_rev_list_entry_verifies():
    """A signed entry verifies with or without an expected timestamp."""
    entry = sign_record(REV_LIST, REV_REG_ID, ENTRY_CONTENT, KEY)
    verify_rev_list_entry(entry, REV_REG_ID, None)
    verify_rev_list_entry(entry, REV_REG_ID, 1000)


def _tampered_entries():
    """Yield (case, record, timestamp) triples that must fail as REV_REG_ID."""
    good = sign_record(REV_LIST, REV_REG_ID, ENTRY_CONTENT, KEY)
    yield "wrong timestamp expected", good, 999
    yield (
        "revocation bit cleared",
        dataclasses.replace(good, content={**ENTRY_CONTENT, "revocationList": [0, 0, 0]}),
        None,
    )
    yield "restamped", dataclasses.replace(good, content={**ENTRY_CONTENT, "timestamp": 5}), None
    yield "other key", sign_record(REV_LIST, REV_REG_ID, ENTRY_CONTENT, OTHER_KEY), None
    other_reg = object_id(REV_REG_DEF, ISSUER_ID, {"issuerId": ISSUER_ID, "tag": "1"})
    moved = {**ENTRY_CONTENT, "revRegDefId": other_reg}
    yield "entry of another registry", sign_record(REV_LIST, other_reg, moved, KEY), None
    yield "content names another registry", sign_record(REV_LIST, REV_REG_ID, moved, KEY), None
    yield (
        "no timestamp",
        sign_record(REV_LIST, REV_REG_ID, {**ENTRY_CONTENT, "timestamp": None}, KEY),
        None,
    )
    yield "object record", sign_record(REV_REG_DEF, REV_REG_ID, ENTRY_CONTENT, KEY), None


@pytest.mark.parametrize(("case", "record", "timestamp"), list(_tampered_entries()))
def test_tampered_rev_list_entries_fail_their_integrity_check(case, record, timestamp):
    """Entries edited, restamped, moved or signed by another key are rejected."""
    with pytest.raises(IntegrityError, match="failed its integrity check"):
        verify_rev_list_entry(record, REV_REG_ID, timestamp)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"kind": "schema", "id": "x", "content": {}}',
        b'{"kind": "schema", "id": "x", "content": {}, "signature": "0OIl"}',
        b'{"kind": "schema", "id": "x", "content": [], "signature": "abc"}',
        b'{"kind": 1, "id": "x", "content": {}, "signature": "abc"}',
        b"\xff\xfe",
    ],
)
def test_unreadable_records_fail_their_integrity_check(data):
    """Garbage on disk is an IntegrityError, not a crash."""
    with pytest.raises(IntegrityError, match="thing failed its integrity check"):
        SignedRecord.from_json(data, "thing")
