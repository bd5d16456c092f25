"""Download a tails file named by an issuer, treating the URL as hostile input.

The URL goes through Tessera's one egress policy (`wallet.egress`): http(s) only,
every address the host resolves to checked, the connection made to the checked
address, loopback only when the deployment allows it, no redirects. A timeout and a
size cap apply; the file is streamed to a temporary file, its hash checked, and
renamed into place, so a failed download leaves nothing behind.
"""

import os
import tempfile
from pathlib import Path

import aiohttp

from ..egress.client import guarded_session, refusal_of
from ..egress.resolve import prepare
from ..egress.target import EgressRefused
from ..errors import InputError
from .digest import CHUNK, TailsHasher, check_tails_hash

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


class TailsRefused(InputError):
    """A tails URL or download was refused; nothing was stored."""


def check_tails_url(url: str, *, allow_loopback: bool) -> str:
    """Return the canonical URL to download; TailsRefused with the policy's reason otherwise."""
    try:
        return prepare(url, allow_loopback=allow_loopback).url
    except EgressRefused as err:
        raise TailsRefused(f"The tails URL is refused: {err}") from None


async def fetch_tails(
    url: str,
    tails_hash: str,
    dest: str | os.PathLike,
    *,
    allow_loopback: bool,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Path:
    """Download `url` to `dest` if it hashes to `tails_hash`; return `dest`.

    Raises TailsRefused (an InputError) for a URL or address the egress policy
    refuses (`allow_loopback` is the deployment's setting), a non-200 answer, a
    download over `max_bytes` or slower than `timeout` seconds in total, or a hash
    mismatch; `dest` is then left as it was.
    """
    check_tails_hash(tails_hash)
    request_url = check_tails_url(url, allow_loopback=allow_loopback)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out:
            hasher = await _download(url, request_url, out, timeout, max_bytes, allow_loopback)
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


async def _download(url, request_url, out, timeout, max_bytes, allow_loopback) -> TailsHasher:
    """Stream the body of `request_url` into `out` under the limits; return the hash so far."""
    session = guarded_session(
        allow_loopback=allow_loopback,
        connector_args={"force_close": True},
        timeout=aiohttp.ClientTimeout(total=timeout),
    )
    hasher = TailsHasher()
    try:
        async with session, session.get(request_url, allow_redirects=False) as resp:
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
    except (EgressRefused, aiohttp.ClientError) as err:
        refusal = refusal_of(err)
        if refusal is not None:
            raise TailsRefused(f"The tails URL is refused: {refusal}") from None
        raise TailsRefused(f"Cannot download the tails file from {url}: {err}") from err
    return hasher


def _too_large(url, max_bytes):
    return f"The tails file at {url} is larger than {max_bytes} bytes; it was not stored"
