"""Attested resources: AnonCreds objects as the did:webvh AnonCreds method publishes them.

    {"@context": [ATTESTED_CONTEXT, DATA_INTEGRITY_CONTEXT], "type": ["AttestedResource"],
     "id": "{DID}/resources/{digest}", "content": {...the AnonCreds object...},
     "metadata": {"resourceId": digest, "resourceType": ..., "resourceName": ...},
     "links": [...] (revocation registry definitions only), "proof": {...}}

The digest in the id is over `content` alone, so a registry definition keeps its id while
its `links` (the index of its status lists) grow; the proof covers everything but itself.
"""

import datetime
import json

from .errors import Tampered
from .ids import ResourceId, check_digest, digest_multibase, resource_id
from .proof import Signer, check_proof_shape, create_proof

ATTESTED_CONTEXT = "https://identity.foundation/did-attested-resources/context/v0.1"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
TYPE = "AttestedResource"

SCHEMA = "anonCredsSchema"
CRED_DEF = "anonCredsCredDef"
REV_REG_DEF = "anonCredsRevocRegDef"
STATUS_LIST = "anonCredsStatusList"
KINDS = (SCHEMA, CRED_DEF, REV_REG_DEF, STATUS_LIST)
WORDS = {
    SCHEMA: "schema",
    CRED_DEF: "credential definition",
    REV_REG_DEF: "revocation registry definition",
    STATUS_LIST: "revocation status list",
}
# Fields each kind's content must have (what ACA-Py's and Credo's resolvers read).
REQUIRED = {
    SCHEMA: ("issuerId", "attrNames", "name", "version"),
    CRED_DEF: ("issuerId", "schemaId", "type", "tag", "value"),
    REV_REG_DEF: ("issuerId", "revocDefType", "credDefId", "tag", "value"),
    STATUS_LIST: ("issuerId", "revRegDefId", "revocationList", "currentAccumulator", "timestamp"),
}


def unsigned(did: str, content: dict, kind: str, name: str, links=None) -> dict:
    """Return the attested resource of `content` before its proof."""
    digest = digest_multibase(content)
    doc = {
        "@context": [ATTESTED_CONTEXT, DATA_INTEGRITY_CONTEXT],
        "type": [TYPE],
        "id": resource_id(did, content),
        "content": content,
        "metadata": {"resourceId": digest, "resourceType": kind, "resourceName": str(name)},
    }
    if links is not None:
        doc["links"] = list(links)
    return doc


async def attest(doc: dict, signer: Signer, method_id: str, now: datetime.datetime) -> dict:
    """Return `doc` with a fresh proof by `method_id` (any previous proof replaced)."""
    body = {k: v for k, v in doc.items() if k != "proof"}
    return {**body, "proof": await create_proof(body, signer, method_id, now)}


def parse(raw: bytes, rid: ResourceId) -> dict:
    """Parse fetched bytes as a JSON object; Tampered otherwise."""
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as err:
        raise Tampered(f"{rid.id} is not JSON ({err}); the issuer's server sent garbage") from None
    if not isinstance(doc, dict):
        raise Tampered(f"{rid.id} is not a JSON object")
    return doc


def check_resource(doc: dict, rid: ResourceId, kinds=KINDS) -> str:
    """Check everything but the signature; return the resource's kind. Tampered on any fault.

    The id must be the one asked for, its last part the digest of the content, the
    metadata must agree, the content must be the issuer's own object of an expected
    kind, and the proof must be one eddsa-jcs-2022 proof by one of the DID's methods.
    """
    what = rid.id
    if TYPE not in _as_list(doc.get("type")):
        raise Tampered(f"{what} is not an AttestedResource")
    if doc.get("id") != rid.id:
        raise Tampered(f"{what} was answered with the resource {doc.get('id')!r} (swapped)")
    content = doc.get("content")
    if not isinstance(content, dict):
        raise Tampered(f"{what} holds no content object")
    try:
        actual = digest_multibase(content)
    except ValueError as err:
        raise Tampered(f"{what} holds content that cannot be canonicalised: {err}") from None
    if actual != rid.digest:
        raise Tampered(
            f"{what} failed its integrity check: its content hashes to {actual}, "
            f"not to the {rid.digest} its id names (tampered or swapped)"
        )
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("resourceId") != rid.digest:
        raise Tampered(f"{what} has metadata whose resourceId does not match its id")
    kind = metadata.get("resourceType")
    if kind not in kinds:
        wanted = " or ".join(WORDS.get(k, k) for k in kinds)
        raise Tampered(f"{what} is a {WORDS.get(kind, repr(kind))}, not a {wanted}")
    missing = [f for f in REQUIRED[kind] if f not in content]
    if missing:
        raise Tampered(f"{what} is not a valid {WORDS[kind]}: it lacks {', '.join(missing)}")
    if content.get("issuerId") != rid.did.did:
        raise Tampered(f"{what} names issuer {content.get('issuerId')!r}, not {rid.did.did}")
    links = doc.get("links")
    if links is not None and not isinstance(links, list):
        raise Tampered(f"{what} has links that are not a list")
    proof = check_proof_shape(doc.get("proof"), what)
    if not proof["verificationMethod"].startswith(rid.did.did + "#"):
        raise Tampered(f"{what} is signed by {proof['verificationMethod']}, not by its issuer")
    return kind


def _as_list(value):
    return value if isinstance(value, list) else [value]


def digest_of(rid_text: str) -> str:
    """Return the digest part of a resource id string (checked)."""
    return check_digest(rid_text.rsplit("/", 1)[-1])
