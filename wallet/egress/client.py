"""aiohttp under the egress policy: every connection checked, connected to the checked address.

`guarded_session` is the one way Tessera code inside an agent makes HTTP requests
to a place another party chose. Its connector's resolver looks a name up once,
refuses it unless every address passes the policy, and hands aiohttp exactly the
checked addresses, so no second lookup can slip a DNS-rebinding answer in; its
middleware checks every hop's URL (address literals, which aiohttp connects to
without its resolver, included) and turns any 3xx answer into a refusal, so no
redirect is ever followed. No proxy from the environment, no cookies.
"""

import asyncio
import socket

import aiohttp
from aiohttp.abc import AbstractResolver

from .policy import decide_target
from .resolve import DNS_TIMEOUT, prepare
from .target import EgressRefused, parse_url, shorten


class PolicyResolver(AbstractResolver):
    """An aiohttp resolver that returns only addresses the egress policy allows."""

    def __init__(self, *, allow_loopback: bool, timeout: float = DNS_TIMEOUT, getaddrinfo=None):
        """Remember the deployment's loopback setting and the lookup deadline.

        `getaddrinfo` (async, like the event loop's) is for tests; by default the
        loop's own is used.
        """
        self.allow_loopback = allow_loopback
        self.timeout = timeout
        self.getaddrinfo = getaddrinfo

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
        getaddrinfo = self.getaddrinfo or asyncio.get_running_loop().getaddrinfo
        try:
            async with asyncio.timeout(self.timeout):
                infos = await getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
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


def egress_middleware(*, allow_loopback: bool):
    """Return an aiohttp client middleware checking each hop and refusing redirects."""

    async def egress(request, handler):
        prepare(str(request.url), allow_loopback=allow_loopback)
        response = await handler(request)
        if 300 <= response.status < 400:
            location = shorten(response.headers.get("Location", "nowhere"))
            response.release()
            raise EgressRefused(
                f"{shorten(str(request.url))} answered HTTP {response.status}, a redirect to "
                f"{location}; Tessera follows no redirects."
            )
        return response

    return egress


def guarded_session(
    *, allow_loopback: bool, connector_args=None, **kwargs
) -> aiohttp.ClientSession:
    """Return a ClientSession whose every connection and hop obeys the egress policy."""
    connector = guarded_connector(allow_loopback=allow_loopback, **(connector_args or {}))
    return aiohttp.ClientSession(
        connector=connector,
        middlewares=(egress_middleware(allow_loopback=allow_loopback),),
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        **kwargs,
    )


def refusal_of(err: BaseException) -> EgressRefused | None:
    """Return the policy refusal behind an aiohttp error, if that is what it is."""
    while err is not None:
        if isinstance(err, EgressRefused):
            return err
        err = err.__cause__
    return None
