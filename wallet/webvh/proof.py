"""eddsa-jcs-2022 Data Integrity proofs, as attested resources and did:webvh logs use them.

The proof covers the document without its `proof` and the proof options without
`proofValue`: `sha256(JCS(options)) || sha256(JCS(document))`, signed with Ed25519 and
written as base58btc multibase (W3C vc-di-eddsa, the `did-webvh` library, ACA-Py's and
Credo's cryptosuites all compute it this way; none copies `@context` into the options).
Signing goes through an async `signer(message) -> signature`, so the private key can
stay in the agent's wallet.
"""

import datetime
from collections.abc import Awaitable, Callable
from hashlib import sha256

from aries_askar import AskarError
from did_webvh.askar import AskarVerifyingKey
from did_webvh.core.proof import di_jcs_verify
from multiformats import multibase

from .errors import Tampered
from .ids import canonical

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
ASSERTION = "assertionMethod"

Signer = Callable[[bytes], Awaitable[bytes]]


def timestamp(now: datetime.datetime) -> str:
    """Return `now` as the XML datetime a proof's `created` holds (UTC, seconds, 'Z')."""
    if now.tzinfo is None:
        raise ValueError("Pass an aware datetime (UTC) as the proof time")
    return now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signing_input(document: dict, options: dict) -> bytes:
    """Return the bytes an eddsa-jcs-2022 proof signs."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in options.items() if k != "proofValue"}
    return sha256(canonical(config)).digest() + sha256(canonical(unsecured)).digest()


async def create_proof(
    document: dict, signer: Signer, verification_method: str, now: datetime.datetime
) -> dict:
    """Return an eddsa-jcs-2022 proof of `document` made with `signer`."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": verification_method,
        "created": timestamp(now),
        "proofPurpose": ASSERTION,
    }
    signature = await signer(signing_input(document, options))
    return {**options, "proofValue": multibase.encode(signature, "base58btc")}


def check_proof_shape(proof, what: str) -> dict:
    """Return `proof` if it is one eddsa-jcs-2022 assertion proof object; Tampered otherwise."""
    if not isinstance(proof, dict):
        raise Tampered(f"{what} carries no single proof object")
    wanted = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "proofPurpose": ASSERTION}
    for key, value in wanted.items():
        if proof.get(key) != value:
            raise Tampered(f"{what} has a proof whose {key} is {proof.get(key)!r}, not {value!r}")
    for key in ("verificationMethod", "proofValue"):
        if not isinstance(proof.get(key), str) or not proof[key]:
            raise Tampered(f"{what} has a proof without {key}")
    return proof


def verify_proof(document: dict, public_multikey: str, what: str) -> None:
    """Check `document['proof']` against an Ed25519 multikey; Tampered if it does not verify."""
    proof = check_proof_shape(document.get("proof"), what)
    try:
        key = AskarVerifyingKey.from_multikey(public_multikey)
        di_jcs_verify(document, proof, key)
    except (ValueError, LookupError, AskarError) as err:  # bad signature, encoding or key
        raise Tampered(
            f"{what} has a proof that does not verify against the issuer's key ({err})"
        ) from None
