"""Build fake DIDComm envelopes: the right shape, opaque contents."""

import base64
import json
import secrets

WIRE = "application/ssi-agent-wire"
ENC = "application/didcomm-envelope-enc"
HOLDER_KID = "kid-of-the-holder"


def b64url(data):
    """Return unpadded base64url of bytes or a JSON-able value."""
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def envelope(kids=(HOLDER_KID,), ciphertext_bytes=64, protected=None):
    """Return a JWE-shaped envelope (bytes) addressed to `kids`, random ciphertext."""
    header = {
        "enc": "xchacha20poly1305_ietf",
        "typ": "JWM/1.0",
        "alg": "Anoncrypt",
        "recipients": [{"encrypted_key": "x", "header": {"kid": k}} for k in kids],
    }
    body = {
        "protected": protected if protected is not None else b64url(header),
        "iv": b64url(secrets.token_bytes(24)),
        "ciphertext": b64url(secrets.token_bytes(ciphertext_bytes)),
        "tag": b64url(secrets.token_bytes(16)),
    }
    return json.dumps(body).encode()


def reserialised(body):
    """Return the same envelope (same ciphertext) with other spacing, key order and a field."""
    data = json.loads(body)
    data["unprotected"] = {"note": "added"}
    return json.dumps(dict(reversed(list(data.items()))), indent=2).encode()
