"""Signed protocol messages (settlement, erasure request, erasure acknowledgement)."""

from .keys import SignatureError, verify
from .receipt import canonical


def payload(kind, body):
    """Return the bytes signed for a message: its kind and every field but the signature."""
    return canonical({"kind": kind, **{k: v for k, v in body.items() if k != "signature"}})


def sign_message(kind, body, signer):
    """Return `body` with the signer's signature over `payload(kind, body)`."""
    return {**body, "signature": signer.sign(payload(kind, body))}


def verify_message(kind, body, did):
    """Verify a signed message by the key `did`; SignatureError naming the message if not."""
    signature = body.get("signature")
    if not signature:
        raise SignatureError(f"The {kind} message is not signed.")
    verify(did, payload(kind, body), signature, f"{kind} signature")
