"""Ed25519 signing keys as did:key identifiers (multibase base58btc), one per connection.

Each party derives a pairwise key per connection from one owner-only master secret,
so receipts given to two firms carry two unrelated keys.
"""

import base64
from dataclasses import dataclass

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import InputError
from ..secrets import load_or_create

ED25519_MULTICODEC = b"\xed\x01"
DID_KEY_PREFIX = "did:key:z"


class SignatureError(InputError):
    """A signature is missing, malformed, or does not verify with the key named."""


def multibase(data):
    """Encode bytes as multibase base58btc ("z...")."""
    return "z" + base58.b58encode(data).decode("ascii")


def from_multibase(text, what="value"):
    """Decode multibase base58btc text; SignatureError if it is not that."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise SignatureError(f"The {what} is not multibase base58btc text starting with 'z'.")
    try:
        return base58.b58decode(text[1:])
    except ValueError as exc:
        raise SignatureError(f"The {what} is not valid base58btc.") from exc


def did_key(public_key):
    """Return the did:key of an Ed25519 public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:" + multibase(ED25519_MULTICODEC + raw)


def public_key(did):
    """Return the Ed25519 public key named by a did:key; SignatureError if it names none."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise SignatureError(f"{did!r} is not an Ed25519 did:key.")
    raw = from_multibase(did[len("did:key:") :], "did:key")
    if len(raw) != 34 or raw[:2] != ED25519_MULTICODEC:
        raise SignatureError(f"{did} does not name an Ed25519 key.")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def verify(did, payload, signature, what="signature"):
    """Verify a multibase Ed25519 `signature` over `payload` by `did`; raise SignatureError."""
    try:
        public_key(did).verify(from_multibase(signature, what), payload)
    except InvalidSignature:
        raise SignatureError(f"The {what} does not verify with {did}.") from None


@dataclass(frozen=True)
class Signer:
    """One Ed25519 private key and its did:key."""

    private: Ed25519PrivateKey

    @property
    def did(self):
        """Return the did:key of this signer."""
        return did_key(self.private.public_key())

    def sign(self, payload):
        """Return the multibase base58btc Ed25519 signature of `payload`."""
        return multibase(self.private.sign(payload))


def derive(master, connection_id):
    """Derive the pairwise `Signer` of one connection from a master secret (text)."""
    seed = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"tessera-receipt-key",
        info=connection_id.encode("utf-8"),
    ).derive(base64.urlsafe_b64decode(master + "=" * (-len(master) % 4)))
    return Signer(Ed25519PrivateKey.from_private_bytes(seed))


class KeyRing:
    """A role's pairwise receipt keys, from `secrets/<role>.receipt-master` (owner-only)."""

    def __init__(self, secrets_dir, role):
        """Remember where the master secret lives; it is created on first use."""
        self.secrets_dir = secrets_dir
        self.role = role

    def for_connection(self, connection_id):
        """Return this role's `Signer` for one connection."""
        master = load_or_create(self.secrets_dir, f"{self.role}.receipt-master")
        return derive(master, connection_id)
