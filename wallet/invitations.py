"""Out-of-band invitation URLs: parse, validate, and refuse unsafe service endpoints.

Service endpoints go through Tessera's one egress policy (`wallet.egress`), host
names resolved and every address checked: the same rules the wallet's agent
enforces when it connects, so an invitation it would refuse is refused here first,
with the reason.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from .egress.resolve import check_url, system_lookup
from .errors import InputError

OOB_TYPES = (
    "https://didcomm.org/out-of-band/1.0/invitation",
    "https://didcomm.org/out-of-band/1.1/invitation",
    "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/out-of-band/1.0/invitation",
    "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/out-of-band/1.1/invitation",
)
MAX_URL = 16 * 1024
MAX_DEPTH = 32
MAX_SERVICES = 4  # each may need a name lookup; real invitations carry one or two
LOOKUP_TIMEOUT = 5.0


class InvitationError(InputError):
    """An invitation is malformed or points somewhere the wallet will not go."""


@dataclass(frozen=True)
class Invitation:
    """A validated out-of-band invitation: who sent it and where its services are."""

    label: str
    id: str
    endpoints: tuple
    handshake_protocols: tuple
    raw: dict = field(repr=False, compare=False)

    @property
    def carries_request(self):
        """Return True for a firm's proof request with no connection (a verifier's QR link)."""
        return not self.handshake_protocols and bool(self.raw.get("requests~attach"))


def _b64decode(text):
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise InvitationError(
            "This is not a Tessera or DIDComm invitation link (its oob part is not valid "
            "base64): copy the whole link the firm gave you."
        ) from None


def _lookup(host, port):
    """Resolve a service endpoint's host, giving up after LOOKUP_TIMEOUT seconds."""
    return system_lookup(host, port, timeout=LOOKUP_TIMEOUT)


def check_endpoint(url, *, allow_loopback, lookup=None):
    """Return `url` when the wallet's agent may contact it, else raise InvitationError.

    The egress policy decides: http(s) only, no user name, every address the host
    resolves to (by `lookup(host, port)`; `.localhost` names never reach DNS) must
    be public, loopback only when `allow_loopback` (the demo and test worlds).
    """
    if not isinstance(url, str) or not url:
        raise InvitationError(
            "The invitation names no service endpoint; ask the firm for a new one."
        )
    decision = check_url(url, allow_loopback=allow_loopback, lookup=lookup or _lookup)
    if not decision.allowed:
        raise InvitationError(
            f"The wallet does not connect to this invitation's service endpoint. "
            f"{decision.reason} Ask the firm for an invitation with its public address."
        )
    return url


def parse_invitation(data, *, allow_loopback, lookup=None):
    """Validate a decoded invitation message (a dict) and return an `Invitation`."""
    if not isinstance(data, dict):
        raise InvitationError("The invitation is not a JSON object; paste the whole link again.")
    if data.get("@type") not in OOB_TYPES:
        raise InvitationError(
            f"This is not an out-of-band invitation (type {data.get('@type')!r}); "
            "ask the firm for a connection invitation."
        )
    services = data.get("services")
    if not isinstance(services, list) or not services:
        raise InvitationError("The invitation lists no services; ask the firm for a new one.")
    if len(services) > MAX_SERVICES:
        raise InvitationError(
            f"The invitation lists {len(services)} services; a real one lists at most "
            f"{MAX_SERVICES}. Ask the firm for a new one."
        )
    endpoints = []
    for service in services:
        if not isinstance(service, dict):
            raise InvitationError(
                "The invitation names its service by a DID only; this wallet accepts "
                "invitations with an inline service endpoint."
            )
        keys = service.get("recipientKeys")
        if not isinstance(keys, list) or not keys:
            raise InvitationError("The invitation's service has no recipient key.")
        endpoints.append(
            check_endpoint(
                service.get("serviceEndpoint"), allow_loopback=allow_loopback, lookup=lookup
            )
        )
    label = data.get("label")
    if not isinstance(label, str) or not label.strip():
        label = "(no name given)"
    protocols = data.get("handshake_protocols") or []
    if not isinstance(protocols, list):
        raise InvitationError("The invitation's handshake_protocols is not a list.")
    return Invitation(
        label=label.strip()[:200],
        id=str(data.get("@id", "")),
        endpoints=tuple(endpoints),
        handshake_protocols=tuple(str(p) for p in protocols),
        raw=data,
    )


def parse_invitation_url(url, *, allow_loopback, lookup=None):
    """Decode and validate an invitation URL carrying `?oob=<base64url JSON>`.

    `allow_loopback` is the deployment's setting (`Settings.loopback_egress`);
    `lookup` resolves host names (tests pass their own).
    """
    if not isinstance(url, str) or not url.strip():
        raise InvitationError("No invitation given; paste the link the firm gave you.")
    url = url.strip()
    if len(url) > MAX_URL:
        raise InvitationError("The invitation link is too long to be a real invitation.")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise InvitationError(
            "The invitation link is malformed; paste the whole link again."
        ) from None
    if parts.scheme not in ("http", "https", "didcomm"):
        raise InvitationError(
            "The invitation is not a link (it should start with https://); paste the whole link."
        )
    encoded = parse_qs(parts.query).get("oob")
    if not encoded:
        raise InvitationError(
            "This is not a Tessera or DIDComm invitation link (it has no oob part): copy the "
            "whole link the firm gave you."
        )
    raw = _b64decode(encoded[0])
    if _depth(raw) > MAX_DEPTH:
        raise InvitationError(
            f"The invitation nests its JSON more than {MAX_DEPTH} levels deep; "
            "no real invitation does. Ask the firm for a new one."
        )
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvitationError(
            "This is not a Tessera or DIDComm invitation link: copy the whole link the firm "
            "gave you."
        ) from None
    return parse_invitation(data, allow_loopback=allow_loopback, lookup=lookup)


def _depth(raw: bytes) -> int:
    """Return how deep arrays and objects nest in JSON text, read before parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest
