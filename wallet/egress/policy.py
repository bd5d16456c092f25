"""Tessera's one egress policy: may the wallet's agent connect to this URL? (pure)

Given a URL and the addresses its host resolves to, `decide` answers allowed (with
the checked addresses to connect to) or refused (with the reason in plain words).
Only http and https, no user info, every spelling normalised (`target.py`), and
every address must be globally routable: private, shared (100.64.0.0/10),
link-local, multicast, reserved, unspecified, documentation, benchmarking, IPv6
unique-local and site-local, and IPv6 forms embedding such an IPv4 address (6to4,
Teredo, NAT64, IPv4-compatible) are refused. Loopback, and `.localhost` names
(127.0.0.1 by RFC 6761, never asked of DNS), only when the deployment allows it:
the demo and test worlds do, production never does. A name is refused when any one
of its addresses is.

Python's `ipaddress` alone is not enough: `is_global` is true for multicast,
IPv6 site-local (fec0::/10), NAT64 (64:ff9b::/96) and IPv4-compatible addresses,
so those are named here before `is_global` decides the rest.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from .target import EgressRefused, Host, Target, parse_url

LOOPBACK_V4 = ipaddress.IPv4Address("127.0.0.1")
_V4_NAMED = (
    (ipaddress.ip_network("100.64.0.0/10"), "shared address space (carrier-grade NAT)"),
    (ipaddress.ip_network("198.18.0.0/15"), "a benchmarking address"),
    (ipaddress.ip_network("192.0.2.0/24"), "a documentation address"),
    (ipaddress.ip_network("198.51.100.0/24"), "a documentation address"),
    (ipaddress.ip_network("203.0.113.0/24"), "a documentation address"),
    (ipaddress.ip_network("255.255.255.255/32"), "the broadcast address"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_V6_NAMED = (
    (ipaddress.ip_network("fc00::/7"), "a private address (IPv6 unique local)"),
    (ipaddress.ip_network("fec0::/10"), "a site-local address (deprecated IPv6)"),
    (ipaddress.ip_network("2001:db8::/32"), "a documentation address"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "a local-use NAT64 address"),
    (ipaddress.ip_network("100::/64"), "a discard-only address"),
)
LOOPBACK_REASON = "a loopback address (this machine); only the demo and tests may connect there"


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one URL: the checked addresses, or why it is refused."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...] = ()
    reason: str = ""

    @property
    def allowed(self) -> bool:
        """True when the URL may be contacted at `addresses`."""
        return not self.reason

    def require(self) -> "Decision":
        """Return self when allowed; raise EgressRefused with the reason otherwise."""
        if self.reason:
            raise EgressRefused(self.reason)
        return self


def address_refusal(address, *, allow_loopback: bool) -> str | None:
    """Return why `address` may not be contacted, in words; None when it may (pure)."""
    ip = _address(address)
    if ip is None:
        return "not an IP address"
    if ip.is_loopback:
        return None if allow_loopback else LOOPBACK_REASON
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.version == 4:
        return _v4_refusal(ip)
    return _v6_refusal(ip)


def _address(address):
    """Parse an address (IPv6 zone id dropped, IPv4-mapped IPv6 turned into IPv4)."""
    if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
        ip = address
    else:
        try:
            ip = ipaddress.ip_address(str(address).split("%", 1)[0])
        except ValueError:
            return None
    if ip.version == 6:
        if ip.scope_id:
            ip = ipaddress.IPv6Address(ip.compressed.split("%", 1)[0])
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
    return ip


def _v4_refusal(ip):
    for network, words in _V4_NAMED:
        if ip in network:
            return words
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_loopback:
        return LOOPBACK_REASON
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def _v6_refusal(ip):
    if ip.packed[:12] == bytes(12):
        embedded = ipaddress.IPv4Address(ip.packed[12:])
        return f"an IPv4-compatible IPv6 address (deprecated) embedding {embedded}"
    if ip in _NAT64:
        embedded = ipaddress.IPv4Address(ip.packed[12:])
        why = _v4_refusal(embedded) if not embedded.is_loopback else LOOPBACK_REASON
        return f"a NAT64 address embedding {embedded}, {why}" if why else None
    if ip.sixtofour is not None:
        return f"a 6to4 address embedding {ip.sixtofour}"
    if ip.teredo is not None:
        return f"a Teredo address embedding {ip.teredo[1]}"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    for network, words in _V6_NAMED:
        if ip in network:
            return words
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def decide(url, addresses: Iterable = (), *, allow_loopback: bool) -> Decision:
    """Say whether `url` may be contacted, given the addresses its host resolves to.

    `addresses` is what DNS answered for a host name; it is ignored for an address
    literal and for `.localhost` names, which never need DNS.
    """
    try:
        target = parse_url(url)
    except EgressRefused as err:
        return Decision(url=str(url), host="", port=0, reason=str(err))
    return decide_target(target, addresses, allow_loopback=allow_loopback)


def decide_target(target: Target, addresses: Iterable = (), *, allow_loopback: bool) -> Decision:
    """`decide` for a URL already split by `parse_url`."""
    host = target.host
    refused = Decision(url=target.url, host=host.name, port=target.port)
    if host.address is not None:
        candidates = [host.address]
    elif host.is_localhost:
        if not allow_loopback:
            return _with_reason(
                refused, f"The address {target.shown} names {host.name}, {LOOPBACK_REASON}."
            )
        candidates = [LOOPBACK_V4]
    else:
        candidates = list(addresses)
        if not candidates:
            return _with_reason(refused, f"The host {host.name} resolves to no address.")
    checked = []
    for candidate in candidates:
        why = address_refusal(candidate, allow_loopback=allow_loopback)
        if why:
            return _with_reason(refused, _sentence(target, host, candidate, why))
        ip = str(_address(candidate))
        if ip not in checked:
            checked.append(ip)
    return Decision(url=target.url, host=host.name, port=target.port, addresses=tuple(checked))


def _with_reason(decision, reason):
    return Decision(url=decision.url, host=decision.host, port=decision.port, reason=reason)


def _sentence(target, host: Host, candidate, why):
    where = str(candidate).split("%", 1)[0]
    if host.address is None:
        return (
            f"The address {target.shown} points at {host.name}, which resolves to {where}: {why}."
        )
    return f"The address {target.shown} points at {where}, {why}."
