"""Fetch over HTTPS under the egress policy: checked addresses, a size cap, a timeout,
no redirects, certificates checked against the configured trust anchors.

Errors name the host: `Unreachable` when it does not answer (or answers 5xx, or its
certificate is not trusted), `NotPublished` for 404, `FetchRefused` for what the policy
refuses (address, scheme, redirect, size).
"""

import asyncio
import socket
import ssl
from collections.abc import Callable

import aiohttp
from aiohttp.abc import AbstractResolver

from . import egress
from .errors import FetchRefused, NotPublished, Unreachable

CHUNK = 64 * 1024


def ssl_context(ca_file=None) -> ssl.SSLContext:
    """Return a verifying TLS context: the system's trust anchors, or only those in `ca_file`."""
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as err:
        raise FetchRefused(f"Cannot load the trusted certificates from {ca_file}: {err}") from err


class PolicyResolver(AbstractResolver):
    """Resolve names for aiohttp under the policy: `.localhost` in process, others checked."""

    def __init__(self, policy: egress.Policy):
        """Apply `policy` to every address."""
        self.policy = policy

    async def resolve(self, host, port=0, family=socket.AF_INET):
        """Return the allowed addresses of `host`; FetchRefused if any is refused."""
        local = egress.resolve_local(host, self.policy)
        if local is not None:
            addresses = [(socket.AF_INET, address) for address in local]
        else:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
            except OSError as err:
                raise Unreachable(host, f"its name does not resolve: {err}") from err
            addresses = [(fam, sockaddr[0]) for fam, _t, _p, _n, sockaddr in infos]
        for _fam, address in addresses:
            if not egress.address_allowed(address, self.policy.allow_loopback):
                url = f"https://{host}/"
                raise FetchRefused(egress.refused_address(url, address, self.policy.allow_loopback))
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": fam,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for fam, address in addresses
        ]

    async def close(self):
        """Nothing to release."""


class Fetcher:
    """GETs under one policy and one set of trust anchors, reusing connections."""

    def __init__(self, policy: egress.Policy, tls: ssl.SSLContext | None = None):
        """Describe the fetcher; the HTTP session opens on first use, in the running loop."""
        self.policy = policy
        self.tls = tls if tls is not None else ssl_context()
        self._session = None
        self._loop = None

    def _client(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=PolicyResolver(self.policy), ssl=self.tls, limit=16
            )
            timeout = aiohttp.ClientTimeout(
                total=self.policy.timeout, connect=min(self.policy.timeout, 5.0)
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=timeout, trust_env=False
            )
            self._loop = loop
        return self._session

    async def get(self, url: str, what: str = "the resource") -> bytes:
        """Return the body of `url` (HTTP 200 only, at most `policy.max_bytes`)."""
        chunks = []
        await self.stream(url, chunks.append, self.policy.max_bytes, what)
        return b"".join(chunks)

    async def stream(
        self, url: str, sink: Callable[[bytes], object], max_bytes: int, what: str
    ) -> int:
        """Pass the body of `url` to `sink` chunk by chunk; return its size."""
        host, _port = egress.check_url(url, self.policy)
        size = 0
        try:
            async with self._client().get(
                url, allow_redirects=False, headers={"Accept": "application/json, */*"}
            ) as resp:
                _check_status(resp, url, host, what, self.policy)
                if resp.content_length is not None and resp.content_length > max_bytes:
                    raise FetchRefused(_too_large(url, max_bytes))
                async for chunk in resp.content.iter_chunked(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchRefused(_too_large(url, max_bytes))
                    sink(chunk)
        except TimeoutError as err:
            raise Unreachable(host, f"no answer within {self.policy.timeout:g} s") from err
        except aiohttp.ClientConnectorCertificateError as err:
            detail = f"its TLS certificate is not trusted: {err.certificate_error}"
            raise Unreachable(host, detail) from err
        except aiohttp.ClientError as err:
            cause = err.__cause__
            if isinstance(cause, FetchRefused | Unreachable):
                raise cause from None
            raise Unreachable(host, str(err) or type(err).__name__) from err
        return size

    async def close(self):
        """Close the HTTP session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


def _check_status(resp, url, host, what, policy):
    if resp.status == 200:
        return
    if 300 <= resp.status < 400:
        raise egress.refuse_redirect(url, resp.status, resp.headers.get("Location"), policy)
    if resp.status in (404, 410):
        raise NotPublished(
            f"{url} answered HTTP {resp.status}: {what} is not published there; "
            "ask the issuer to publish it"
        )
    raise Unreachable(host, f"{url} answered HTTP {resp.status}")


def _too_large(url, max_bytes):
    return f"{url} is larger than {max_bytes} bytes; it was refused and nothing was stored"
