"""Signed registry records: Ed25519 signatures by the issuer, checked on every read.

A record is one object (schema, cred def, rev reg def) or one revocation list entry,
stored as `{"kind", "id", "content", "signature"}`. The signature covers the canonical
JSON of a domain tag, the kind, the id and the content, so a record cannot be moved to
another id or kind, and it must verify under the Ed25519 key carried in the issuer id.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import InputError, IntegrityError
from .canonical import canonical_json, content_digest
from .ids import OBJECT_KINDS, REV_REG_DEF, issuer_public_key, parse_object_id

REV_LIST = "revlist"
RECORD_KINDS = (*OBJECT_KINDS, REV_LIST)
DOMAIN = "tessera-registry/1"


def signing_payload(kind: str, record_id: str, content: Mapping) -> bytes:
    """Return the exact bytes the issuer signs for a record."""
    return canonical_json({"domain": DOMAIN, "kind": kind, "id": record_id, "content": content})


@dataclass(frozen=True)
class SignedRecord:
    """One registry object or revocation list entry with the issuer's signature."""

    kind: str
    id: str
    content: dict
    signature: bytes

    def payload(self) -> bytes:
        """Return the signed bytes of this record."""
        return signing_payload(self.kind, self.id, self.content)

    @property
    def timestamp(self):
        """Return the `timestamp` of a revocation list entry (None if absent)."""
        return self.content.get("timestamp")

    def to_json(self) -> bytes:
        """Serialise for storage (sorted keys, readable)."""
        doc = {
            "kind": self.kind,
            "id": self.id,
            "content": self.content,
            "signature": base58.b58encode(self.signature).decode("ascii"),
        }
        return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes, where: str) -> "SignedRecord":
        """Parse a stored record; `where` names it in the IntegrityError if it is malformed."""
        try:
            doc = json.loads(data)
            record = cls(
                kind=doc["kind"],
                id=doc["id"],
                content=doc["content"],
                signature=base58.b58decode(doc["signature"]),
            )
        except (ValueError, KeyError, TypeError) as err:
            raise IntegrityError(f"{where} failed its integrity check: unreadable record") from err
        if not (
            isinstance(record.kind, str)
            and isinstance(record.id, str)
            and isinstance(record.content, dict)
        ):
            raise IntegrityError(f"{where} failed its integrity check: malformed record")
        return record


def sign_record(
    kind: str, record_id: str, content: Mapping, private_key: Ed25519PrivateKey
) -> SignedRecord:
    """Sign a record with a raw Ed25519 key (tools and tests; agents sign with their wallet)."""
    content = dict(content)
    signature = private_key.sign(signing_payload(kind, record_id, content))
    return SignedRecord(kind, record_id, content, signature)


def _check_signature(record: SignedRecord, issuer_id: str, name: str) -> None:
    """Raise IntegrityError unless the record's signature verifies under the issuer's key."""
    try:
        public_key = Ed25519PublicKey.from_public_bytes(issuer_public_key(issuer_id))
        public_key.verify(record.signature, record.payload())
    except (InvalidSignature, InputError, ValueError) as err:
        raise IntegrityError(
            f"{name} failed its integrity check: the signature does not verify under "
            f"the key of {issuer_id}"
        ) from err


def _fail(name: str, reason: str) -> IntegrityError:
    """Build the IntegrityError for a record that does not match its id."""
    return IntegrityError(f"{name} failed its integrity check: {reason}")


def verify_object(record: SignedRecord, object_id: str) -> None:
    """Check that a stored object is the one its id names and that its issuer signed it."""
    oid = parse_object_id(object_id)
    if record.kind != oid.kind or record.id != object_id:
        raise _fail(object_id, f"the stored record is for {record.kind} {record.id}")
    try:
        digest = content_digest(record.content)
    except InputError as err:
        raise _fail(object_id, "the content is not canonical JSON") from err
    if digest != oid.digest:
        raise _fail(object_id, "the content does not match the digest in the id")
    if record.content.get("issuerId") != oid.issuer_id:
        raise _fail(object_id, "the content names another issuer")
    _check_signature(record, oid.issuer_id, object_id)


def verify_rev_list_entry(record: SignedRecord, rev_reg_id: str, timestamp: int | None) -> None:
    """Check a revocation list entry belongs to `rev_reg_id` (at `timestamp`) and is signed."""
    oid = parse_object_id(rev_reg_id, REV_REG_DEF)
    name = f"Revocation list of {rev_reg_id}"
    if timestamp is not None:
        name += f" at {timestamp}"
    if record.kind != REV_LIST or record.id != rev_reg_id:
        raise _fail(name, f"the stored record is for {record.kind} {record.id}")
    if record.content.get("revRegDefId") != rev_reg_id:
        raise _fail(name, "the content names another revocation registry")
    if record.content.get("issuerId") != oid.issuer_id:
        raise _fail(name, "the content names another issuer")
    stamp = record.timestamp
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise _fail(name, "the entry has no integer timestamp")
    if timestamp is not None and stamp != timestamp:
        raise _fail(name, f"the entry is stamped {stamp}")
    _check_signature(record, oid.issuer_id, name)
