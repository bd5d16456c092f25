"""What the inbox may know of a DIDComm envelope: its shape, size, identity and recipient keys.

The inbox cannot decrypt an envelope. Its identity (`digest`) is the SHA-256 of the
fields that make the ciphertext (protected header, iv, ciphertext, tag), so the same
envelope re-serialised (other spacing, key order, extra fields) is recognised as the
same one; the agent behind the inbox refuses a replayed message by its id in any case.
"""

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass

from . import jsonsafe
from .errors import EnvelopeTooLarge, NotAnEnvelope, WrongContentType

# ACA-Py's default inbound size cap (--max-message-size).
MAX_ENVELOPE = 2 * 1024 * 1024
# A packed DIDComm v1 envelope nests 1 level; its protected header 4. Room to spare.
MAX_DEPTH = 16
MAX_RECIPIENTS = 64
CONTENT_TYPES = ("application/didcomm-envelope-enc", "application/ssi-agent-wire")
_JWE_FIELDS = ("protected", "iv", "ciphertext", "tag")
# A recipient key id as ACA-Py writes it (base58 verkey), or a DID URL: printable, bounded.
KID = re.compile(r"^[A-Za-z0-9:._#%+/=-]{1,256}$")
_NO_RECIPIENTS = "The envelope's protected header names no recipient keys."


@dataclass(frozen=True)
class Envelope:
    """An accepted envelope's bytes plus the little the inbox may see of it."""

    body: bytes
    content_type: str
    digest: str
    kids: tuple

    @property
    def size(self):
        """Return the envelope's size in bytes."""
        return len(self.body)


def media_type(header):
    """Return the bare, lower-case media type of a Content-Type header."""
    return (header or "").split(";", 1)[0].strip().lower()


def check_content_type(header):
    """Return the DIDComm media type of `header`, or raise `WrongContentType`."""
    kind = media_type(header)
    if kind not in CONTENT_TYPES:
        raise WrongContentType(
            f"Content type '{kind[:80] or '(none)'}' is not a DIDComm envelope; "
            f"send {' or '.join(CONTENT_TYPES)}."
        )
    return kind


def _json(data, what):
    try:
        return jsonsafe.loads(data, MAX_DEPTH, what)
    except jsonsafe.TooDeep as exc:
        raise NotAnEnvelope(str(exc)) from None
    except jsonsafe.NotJSON:
        raise NotAnEnvelope(f"{what} is not JSON; send a packed DIDComm envelope.") from None


def _protected_header(text):
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        raise NotAnEnvelope(_NO_RECIPIENTS) from None
    return _json(raw, "The envelope's protected header")


def recipient_kids(header):
    """Return the recipient key ids a protected header names; raise `NotAnEnvelope` if none."""
    recipients = header.get("recipients") if isinstance(header, dict) else None
    if not isinstance(recipients, list) or not 0 < len(recipients) <= MAX_RECIPIENTS:
        raise NotAnEnvelope(_NO_RECIPIENTS)
    kids = []
    for recipient in recipients:
        header = recipient.get("header") if isinstance(recipient, dict) else None
        kid = header.get("kid") if isinstance(header, dict) else None
        if not isinstance(kid, str) or not KID.match(kid):
            raise NotAnEnvelope(_NO_RECIPIENTS)
        kids.append(kid)
    return tuple(kids)


def identity(data):
    """Return the digest naming an envelope by its ciphertext fields, whatever its layout."""
    canonical = json.dumps([data[k].rstrip("=") for k in _JWE_FIELDS], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse(body, content_type, limit=MAX_ENVELOPE):
    """Check `body` is an encrypted DIDComm envelope within `limit`; return an `Envelope`."""
    if len(body) > limit:
        raise EnvelopeTooLarge(f"The envelope is {len(body)} bytes; this inbox takes {limit}.")
    kind = check_content_type(content_type)
    data = _json(body, "The body")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in _JWE_FIELDS):
        raise NotAnEnvelope(
            "The body is not an encrypted DIDComm envelope (JWE with protected, iv, "
            "ciphertext, tag); plaintext messages are not stored."
        )
    kids = recipient_kids(_protected_header(data["protected"]))
    return Envelope(bytes(body), kind, identity(data), kids)
