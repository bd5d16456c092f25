"""Out-of-band invitation URLs: parse, validate, and refuse unsafe service endpoints (pure)."""

import base64
import binascii
import ipaddress
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from .errors import InputError

OOB_TYPES = (
    "https://didcomm.org/out-of-band/1.0/invitation",
    "https://didcomm.org/out-of-band/1.1/invitation",
    "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/out-of-band/1.0/invitation",
    "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/out-of-band/1.1/invitation",
)
MAX_URL = 16 * 1024


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


def _b64decode(text):
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise InvitationError(
            "The invitation's oob parameter is not valid base64; paste the whole link again."
        ) from None


def check_endpoint(url):
    """Return `url` when it is an http(s) endpoint the wallet may contact, else raise.

    Loopback is allowed (local firms); private, link-local, multicast, reserved and
    unspecified IP addresses are refused. Host names are not resolved here.
    """
    if not isinstance(url, str) or not url:
        raise InvitationError(
            "The invitation names no service endpoint; ask the firm for a new one."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvitationError(
            f"The invitation's service endpoint uses '{parts.scheme or 'no'}' scheme; "
            "only http and https endpoints are accepted."
        )
    host = parts.hostname
    if not host:
        raise InvitationError("The invitation's service endpoint has no host; ask the firm again.")
    if parts.username or parts.password:
        raise InvitationError("The invitation's service endpoint carries a user name; refused.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None:
        return url
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return url
    if address.is_link_local:
        raise InvitationError(
            f"The invitation points at the link-local address {host}; the wallet does not "
            "connect there. Ask the firm for an invitation with its public address."
        )
    if address.is_private or address.is_reserved or address.is_unspecified or address.is_multicast:
        raise InvitationError(
            f"The invitation points at the private address {host}; the wallet does not "
            "connect there. Ask the firm for an invitation with its public address."
        )
    return url


def parse_invitation(data):
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
        endpoints.append(check_endpoint(service.get("serviceEndpoint")))
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


def parse_invitation_url(url):
    """Decode and validate an invitation URL carrying `?oob=<base64url JSON>`."""
    if not isinstance(url, str) or not url.strip():
        raise InvitationError("No invitation given; paste the link the firm gave you.")
    url = url.strip()
    if len(url) > MAX_URL:
        raise InvitationError("The invitation link is too long to be a real invitation.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "didcomm"):
        raise InvitationError(
            "The invitation is not a link (it should start with https://); paste the whole link."
        )
    encoded = parse_qs(parts.query).get("oob")
    if not encoded:
        raise InvitationError(
            "The invitation URL has no `oob` parameter; paste the whole link the firm gave you."
        )
    raw = _b64decode(encoded[0])
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvitationError(
            "The invitation's oob parameter does not hold JSON; paste the whole link again."
        ) from None
    return parse_invitation(data)
