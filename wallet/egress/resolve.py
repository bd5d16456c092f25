"""Apply the egress policy to real connections: resolve once, check, connect to what was checked.

`check_url` is the blocking form (the wallet app's invitation check). For aiohttp,
`prepare` checks a URL before a request (an address literal never reaches aiohttp's
resolver, so it is checked here) and `guarded_connector` gives a connector whose
resolver looks a name up once, refuses it unless every address passes the policy,
and hands aiohttp exactly the checked addresses: there is no second lookup for a
DNS-rebinding answer to slip into. `.localhost` names never reach DNS.
"""

import asyncio
import ipaddress
import socket
import threading

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from .policy import Decision, decide_target
from .target import EgressRefused, Target, parse_url

DNS_TIMEOUT = 10.0


def system_lookup(host: str, port: int, *, timeout: float = DNS_TIMEOUT) -> list[str]:
    """Return the addresses DNS gives for `host`, waiting at most `timeout` seconds."""
    outcome = {}
    done = threading.Event()

    def work():
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as err:
            outcome["error"] = err
        finally:
            done.set()

    threading.Thread(target=work, name="egress-lookup", daemon=True).start()
    if not done.wait(timeout):
        raise EgressRefused(f"Looking up {host} took longer than {timeout:g} s; try again later.")
    if "error" in outcome:
        raise EgressRefused(f"Cannot look up {host} ({outcome['error']}).")
    return [info[4][0] for info in outcome["infos"]]


def check_url(url, *, allow_loopback: bool, lookup=system_lookup) -> Decision:
    """Resolve `url`'s host if it is a name (never `.localhost`) and decide; blocking.

    `lookup(host, port)` returns addresses or raises EgressRefused/OSError; tests
    pass their own, so no test ever asks DNS.
    """
    try:
        target = parse_url(url)
        addresses = lookup(target.host.name, target.port) if target.needs_lookup else ()
    except OSError as err:
        return Decision(url=str(url), host="", port=0, reason=f"Cannot look up the host ({err}).")
    except EgressRefused as err:
        return Decision(url=str(url), host="", port=0, reason=str(err))
    return decide_target(target, addresses, allow_loopback=allow_loopback)


def prepare(url, *, allow_loopback: bool) -> Target:
    """Return the canonical target to request; EgressRefused now if no connection may be made.

    Address literals and `.localhost` names are decided here (aiohttp connects to a
    literal without asking its resolver); names are decided by the resolver of
    `guarded_connector` when the connection is made.
    """
    target = parse_url(url)
    if not target.needs_lookup:
        decide_target(target, allow_loopback=allow_loopback).require()
    seen = URL(target.url).raw_host or ""
    expected = target.host.name
    if target.host.address is not None and ":" in seen:
        seen = ipaddress.ip_address(seen).compressed
    if seen != expected:
        raise EgressRefused(f"The address {target.shown} is read differently by the HTTP client.")
    return target


class PolicyResolver(AbstractResolver):
    """An aiohttp resolver that returns only addresses the egress policy allows."""

    def __init__(self, *, allow_loopback: bool, timeout: float = DNS_TIMEOUT):
        """Remember the deployment's loopback setting and the lookup deadline."""
        self.allow_loopback = allow_loopback
        self.timeout = timeout

    async def resolve(self, host, port=0, family=socket.AF_UNSPEC):
        """Look `host` up once, check every address, return the checked ones."""
        target = parse_url(f"http://{host}:{port or 80}/")
        addresses = ()
        if target.needs_lookup:
            addresses = await self._lookup(target.host.name, port, family)
        decision = decide_target(target, addresses, allow_loopback=self.allow_loopback).require()
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in decision.addresses
        ]

    async def _lookup(self, host, port, family):
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
        except TimeoutError:
            raise EgressRefused(
                f"Looking up {host} took longer than {self.timeout:g} s; try again later."
            ) from None
        except (OSError, UnicodeError) as err:
            raise EgressRefused(f"Cannot look up {host} ({err}).") from err
        return [info[4][0] for info in infos]

    async def close(self):
        """Nothing to release."""
        return None


def guarded_connector(*, allow_loopback: bool, **kwargs) -> aiohttp.TCPConnector:
    """Return a TCPConnector whose every name lookup goes through the egress policy."""
    return aiohttp.TCPConnector(resolver=PolicyResolver(allow_loopback=allow_loopback), **kwargs)


def refusal_of(err: BaseException) -> EgressRefused | None:
    """Return the policy refusal behind an aiohttp error, if that is what it is."""
    while err is not None:
        if isinstance(err, EgressRefused):
            return err
        err = err.__cause__
    return None
