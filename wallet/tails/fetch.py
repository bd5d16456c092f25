"""Download a tails file named by an issuer, treating the URL as hostile input.

Only http(s) URLs; the host must be loopback (127.0.0.1, localhost, ::1) or a
public address, checked on the addresses the connection really uses; a timeout, a
size cap, no redirects; the file is streamed to a temporary file, its hash checked,
and renamed into place, so a failed download leaves nothing behind.
"""

import asyncio
import ipaddress
import os
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from ..errors import InputError
from .digest import CHUNK, TailsHasher, check_tails_hash

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
LOOPBACK_NAMES = ("localhost",)
SCHEMES = ("http", "https")


class TailsRefused(InputError):
    """A tails URL or download was refused; nothing was stored."""


def address_allowed(address: str) -> bool:
    """Tell whether a tails host address may be contacted: loopback or public only (pure)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return True
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_tails_url(url: str) -> tuple[str, str, int]:
    """Return (scheme, host, port) of an acceptable tails URL; TailsRefused otherwise (pure).

    A literal address must pass `address_allowed`; a host name is checked again on
    every address it resolves to when the download connects.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise TailsRefused(f"The tails URL {url!r} is malformed: {err}") from err
    if parts.scheme not in SCHEMES:
        raise TailsRefused(
            f"The tails URL {url!r} is not http or https; ask the issuer for a web address"
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise TailsRefused(f"The tails URL {url!r} names no host")
    if parts.username or parts.password:
        raise TailsRefused(f"The tails URL {url!r} carries credentials; it is refused")
    if _is_literal(host) and not address_allowed(host):
        raise TailsRefused(_private(url, host))
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _private(url: str, address: str) -> str:
    return (
        f"The tails URL {url!r} points at {address}, a private, link-local or reserved "
        "address; only loopback and public addresses are allowed"
    )


class _CheckedResolver(AbstractResolver):
    """Resolve with the system resolver and refuse any address that is not allowed."""

    def __init__(self, url: str):
        self.url = url

    async def resolve(self, host, port=0, family=socket.AF_INET):
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
        except OSError as err:
            raise TailsRefused(f"Cannot resolve the tails host {host!r}: {err}") from err
        found = []
        for fam, _type, proto, _name, sockaddr in infos:
            if not address_allowed(sockaddr[0]):
                raise TailsRefused(_private(self.url, sockaddr[0]))
            found.append(
                {
                    "hostname": host,
                    "host": sockaddr[0],
                    "port": sockaddr[1],
                    "family": fam,
                    "proto": proto,
                    "flags": socket.AI_NUMERICHOST,
                }
            )
        return found

    async def close(self):
        return None


async def fetch_tails(
    url: str,
    tails_hash: str,
    dest: str | os.PathLike,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Path:
    """Download `url` to `dest` if it hashes to `tails_hash`; return `dest`.

    Raises TailsRefused (an InputError) for a refused URL or address, a non-200
    answer, a download over `max_bytes` or slower than `timeout` seconds in total,
    or a hash mismatch; `dest` is then left as it was.
    """
    check_tails_hash(tails_hash)
    check_tails_url(url)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out:
            hasher = await _download(url, out, timeout, max_bytes)
            out.flush()
            os.fsync(out.fileno())
        got = hasher.hexdigest()
        if got != tails_hash:
            raise TailsRefused(
                f"The tails file from {url} hashes to {got}, not {tails_hash}; "
                "the issuer's tails server serves the wrong file"
            )
        os.replace(tmp, dest)
    except BaseException:
        os.unlink(tmp)
        raise
    return dest


async def _download(url, out, timeout, max_bytes) -> TailsHasher:
    """Stream the body of `url` into `out` under the limits; return the hash so far."""
    connector = aiohttp.TCPConnector(resolver=_CheckedResolver(url), force_close=True)
    limits = aiohttp.ClientTimeout(total=timeout)
    hasher = TailsHasher()
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=limits, trust_env=False) as session,
            session.get(url, allow_redirects=False) as resp,
        ):
            if resp.status != 200:
                raise TailsRefused(
                    f"The tails server at {url} answered HTTP {resp.status}; "
                    "ask the issuer to check its tails server"
                )
            if resp.content_length is not None and resp.content_length > max_bytes:
                raise TailsRefused(_too_large(url, max_bytes))
            async for chunk in resp.content.iter_chunked(CHUNK):
                hasher.update(chunk)
                if hasher.size > max_bytes:
                    raise TailsRefused(_too_large(url, max_bytes))
                out.write(chunk)
    except TimeoutError as err:
        raise TailsRefused(
            f"The tails file at {url} did not arrive within {timeout:g} s; try again later"
        ) from err
    except aiohttp.ClientError as err:
        if isinstance(err.__cause__, TailsRefused):
            raise err.__cause__ from None
        raise TailsRefused(f"Cannot download the tails file from {url}: {err}") from err
    return hasher


def _too_large(url, max_bytes):
    return f"The tails file at {url} is larger than {max_bytes} bytes; it was not stored"
