"""Where the registry may connect: the fetch policy, as pure functions.

Production: https only, to public addresses only. Test and demo configuration
(`allow_loopback`) also allows loopback addresses, and names under `.localhost`
resolve to 127.0.0.1 inside this process (RFC 6761) without any DNS query; without it
`.localhost` names are refused outright. Private, link-local, shared, reserved and
multicast addresses are never allowed, in any spelling. Redirects are never followed.
This module is the one place the policy lives, so it can be swapped for Tessera's
shared egress policy once there is one.
"""

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from .errors import FetchRefused

LOOPBACK = "127.0.0.1"
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Policy:
    """What a fetch may do: loopback or not, the size cap in bytes, the timeout in seconds."""

    allow_loopback: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT


def _ip(address: str):
    """Parse an address the way a resolver would (hex or integer IPv4 too); None if not one."""
    text = address.split("%", 1)[0].strip("[]")
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        try:  # 0x7f000001, 2130706433, 127.1: what inet_aton accepts
            ip = ipaddress.ip_address(socket.inet_aton(text))
        except OSError:
            return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip


def address_allowed(address: str, allow_loopback: bool) -> bool:
    """Tell whether an address may be contacted: public, or loopback when allowed (pure)."""
    ip = _ip(address)
    if ip is None:
        return False
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def is_literal(host: str) -> bool:
    """Tell whether `host` is an address written as such (any spelling) rather than a name."""
    return _ip(host) is not None


def is_localhost_name(host: str) -> bool:
    """Tell whether `host` is `localhost` or a name under `.localhost` (RFC 6761)."""
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")


def check_url(url: str, policy: Policy) -> tuple[str, int]:
    """Return (host, port) of a URL the policy lets us fetch; FetchRefused otherwise (pure).

    A name is checked again, on every address it resolves to, when connecting.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise FetchRefused(f"The URL {url!r} is malformed: {err}") from None
    if parts.scheme != "https":
        raise FetchRefused(f"The URL {url!r} is not https; only https is used")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused(f"The URL {url!r} carries credentials; it is refused")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise FetchRefused(f"The URL {url!r} names no host")
    if is_literal(host):
        if not address_allowed(host, policy.allow_loopback):
            raise FetchRefused(refused_address(url, host))
    elif is_localhost_name(host) and not policy.allow_loopback:
        raise FetchRefused(
            f"The URL {url!r} names {host}, a name for this machine; only test and demo "
            "configurations may fetch from it"
        )
    return host, port or 443


def refused_address(url: str, address: str) -> str:
    """Return the message for a URL whose host is (or resolves to) a refused address."""
    return (
        f"The URL {url!r} points at {address}, a private, link-local, loopback or reserved "
        "address; only public addresses are allowed"
    )


def resolve_local(host: str, policy: Policy) -> list[str] | None:
    """Return the addresses of a `.localhost` name (RFC 6761, no DNS), or None for other names."""
    if not is_localhost_name(host):
        return None
    if not policy.allow_loopback:
        raise FetchRefused(f"{host} names this machine; only test and demo configurations use it")
    return [LOOPBACK]


def refuse_redirect(url: str, status: int, location: str | None, policy: Policy) -> FetchRefused:
    """Return the error for a redirect answer: never followed; says where it pointed (pure)."""
    target = urllib.parse.urljoin(url, location or "")
    reason = "redirects are not followed"
    if location:
        try:
            check_url(target, policy)
        except FetchRefused as err:
            reason = f"the redirect is refused: {err}"
    return FetchRefused(
        f"{url} answered HTTP {status} redirecting to {target or '(nowhere)'}; {reason}. "
        "The issuer must serve its objects at the address their id names."
    )
