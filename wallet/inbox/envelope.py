"""What the inbox may know of a DIDComm envelope: its shape, size, hash and recipient key ids."""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from .errors import EnvelopeTooLarge, NotAnEnvelope, WrongContentType

# ACA-Py's default inbound size cap (--max-message-size).
MAX_ENVELOPE = 2 * 1024 * 1024
CONTENT_TYPES = ("application/didcomm-envelope-enc", "application/ssi-agent-wire")
_JWE_FIELDS = ("protected", "iv", "ciphertext", "tag")


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
            f"Content type '{kind or '(none)'}' is not a DIDComm envelope; "
            f"send {' or '.join(CONTENT_TYPES)}."
        )
    return kind


def _b64url_json(text):
    padded = text + "=" * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def parse(body, content_type, limit=MAX_ENVELOPE):
    """Check `body` is an encrypted DIDComm envelope within `limit`; return an `Envelope`."""
    if len(body) > limit:
        raise EnvelopeTooLarge(f"The envelope is {len(body)} bytes; this inbox takes {limit}.")
    kind = check_content_type(content_type)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotAnEnvelope("The body is not JSON; send a packed DIDComm envelope.") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in _JWE_FIELDS):
        raise NotAnEnvelope(
            "The body is not an encrypted DIDComm envelope (JWE with protected, iv, "
            "ciphertext, tag); plaintext messages are not stored."
        )
    try:
        header = _b64url_json(data["protected"])
        kids = tuple(str(r["header"]["kid"]) for r in header["recipients"])
    except (ValueError, binascii.Error, KeyError, TypeError, UnicodeEncodeError):
        raise NotAnEnvelope("The envelope's protected header names no recipient keys.") from None
    if not kids:
        raise NotAnEnvelope("The envelope's protected header names no recipient keys.")
    return Envelope(bytes(body), kind, hashlib.sha256(body).hexdigest(), kids)
