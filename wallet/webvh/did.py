"""The issuer's did:webvh DID: its genesis log entry, built with the `did-webvh` library.

The DID document lists one Ed25519 `Multikey`, `{DID}#key-01`, as assertion method: it
signs the attested resources. A second Ed25519 key, the update key, signs the log
entries (as `did:key:{multikey}#{multikey}`, as the method requires). Both private keys
stay in the issuer agent's wallet; signing goes through async signers.
"""

import datetime
from dataclasses import dataclass

from did_webvh.core.state import DocumentState, InvalidDocumentState, verify_state_proofs
from did_webvh.provision import provision_did

from .errors import InputError
from .ids import METHOD, domain_identifier, parse_did
from .proof import Signer, create_proof

ASSERTION_FRAGMENT = "key-01"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


@dataclass(frozen=True)
class Key:
    """A public Ed25519 multikey and the async signer holding its private half."""

    multikey: str
    sign: Signer


def did_key_reference(multikey: str) -> str:
    """Return the did:key verification method a log proof names for an update key."""
    return f"did:key:{multikey}#{multikey}"


def genesis_document(identifier: str, assertion_multikey: str) -> dict:
    """Return the first DID document, with `{SCID}` placeholders the library fills in."""
    did = f"{METHOD}{{SCID}}:{identifier}"
    vm_id = f"{did}#{ASSERTION_FRAGMENT}"
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": assertion_multikey,
            }
        ],
        "assertionMethod": [vm_id],
    }


async def create_genesis(
    host: str,
    port: int | None,
    path,
    update: Key,
    assertion: Key,
    now: datetime.datetime,
) -> DocumentState:
    """Build, sign and check the first log entry of a new DID on `host[:port][/path]`."""
    identifier = domain_identifier(host, port, tuple(path))
    try:
        state = provision_did(
            genesis_document(identifier, assertion.multikey),
            params={"updateKeys": [update.multikey], "portable": False},
            timestamp=now.astimezone(datetime.UTC).replace(microsecond=0),
        )
    except ValueError as err:
        raise InputError(f"Cannot create a did:webvh DID on {identifier}: {err}") from err
    proof = await create_proof(
        state.history_line(), update.sign, did_key_reference(update.multikey), state.timestamp
    )
    state.proofs.append(proof)
    try:
        verify_state_proofs(state, None)
    except InvalidDocumentState as err:
        raise InputError(f"The new DID log entry does not verify: {err}") from err
    parse_did(state.document_id)
    return state


def log_text(lines) -> bytes:
    """Return the DID log file (`did.jsonl`) holding the given history lines (JSON strings)."""
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def assertion_method_id(did: str) -> str:
    """Return the id of the verification method that signs the DID's resources."""
    return f"{did}#{ASSERTION_FRAGMENT}"
