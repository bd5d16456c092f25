"""Put the DID resolvers that fetch over HTTP behind the egress policy (runs in the agent).

ACA-Py 1.7 registers, by default, resolvers for `did:web` (`WebDIDResolver._resolve`
in acapy_agent/resolver/default/web.py: a fresh aiohttp session, system DNS, any
address, redirects followed, no size cap) and `did:webvh` (the `did_webvh` library's
`read_url` in did_webvh/core/file_utils.py, the same). A firm chooses which DID the
wallet resolves (a DID exchange response, a rotated DID), so each is a way to make
the wallet's agent connect where the firm likes. `install()` makes both fetch
through `guarded_session`: public addresses only (loopback where the deployment
allows it), the checked address connected to, no redirects, a deadline, and for
did:web a size cap.

Tied to the exact sources it replaces (a test pins their SHA-256). It would be
unnecessary if ACA-Py's resolvers took their HTTP session from the context (so a
deployment could give them one under its own policy) and followed no redirects.
"""

import contextlib
import functools
import logging

import aiohttp
import did_webvh.core.file_utils as webvh_files
import did_webvh.history as webvh_history
import did_webvh.resolver as webvh_resolver
from acapy_agent.resolver.base import DIDNotFound, ResolverError
from acapy_agent.resolver.default.web import WebDIDResolver
from pydid import DIDDocument

from .client import guarded_session, refusal_of
from .resolve import prepare
from .target import EgressRefused, shorten

LOGGER = logging.getLogger(__name__)
WEB_RESOLVER_SHA256 = "4bb6b9e2d6aa4dc27d29508c93bd0105df6389913569d773e22a5cf4788a4f43"
WEBVH_READ_URL_SHA256 = "5c0fdea06e88008fbcef7b1f5556bd9ad40faa7440eee106d010b5dcc49c33da"
WEBVH_MODULES = (webvh_files, webvh_history, webvh_resolver)
TIMEOUT = 20.0
MAX_DID_DOCUMENT = 256 * 1024


def install(allow_loopback: bool) -> None:
    """Make did:web and did:webvh resolution in this process obey the policy."""
    WebDIDResolver._resolve = functools.partialmethod(resolve_did_web, allow_loopback)
    original = original_read_url()
    guarded = functools.partial(guarded_read_url, original, allow_loopback)
    guarded.tessera_original = original
    for module in WEBVH_MODULES:
        module.read_url = guarded


def original_read_url():
    """Return did_webvh's own `read_url`, also once it has been replaced here."""
    return getattr(webvh_files.read_url, "tessera_original", webvh_files.read_url)


async def resolve_did_web(self, allow_loopback, profile, did, service_accept=None) -> dict:
    """ACA-Py's did:web resolution, fetched under the egress policy."""
    url = self._WebDIDResolver__transform_to_url(did)
    try:
        target = prepare(url, allow_loopback=allow_loopback)
        session = guarded_session(
            allow_loopback=allow_loopback, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        )
        async with session, session.get(target.url, allow_redirects=False) as response:
            if response.status == 404:
                raise DIDNotFound(f"No document found for {did}")
            if response.status != 200:
                raise ResolverError(f"Could not find doc for {did}: HTTP {response.status}")
            body = await response.content.read(MAX_DID_DOCUMENT + 1)
    except (EgressRefused, aiohttp.ClientError, TimeoutError) as err:
        refusal = refusal_of(err)
        if refusal is None:
            raise ResolverError(f"Could not fetch the document of {did}: {err!r}") from err
        LOGGER.warning("Egress refused for %s: %s", shorten(url), refusal)
        raise ResolverError(f"Egress refused: {refusal}") from None
    if len(body) > MAX_DID_DOCUMENT:
        raise ResolverError(f"The document of {did} is larger than {MAX_DID_DOCUMENT} bytes")
    try:
        return DIDDocument.from_json(body.decode("utf-8")).serialize()
    except Exception as err:  # pydid raises several kinds; ACA-Py's code does the same
        raise ResolverError("Response was incorrectly formatted") from err


@contextlib.asynccontextmanager
async def guarded_read_url(original, allow_loopback, url, *, session=None, **kwargs):
    """did_webvh's `read_url`, fetched under the egress policy (any session given is ignored)."""
    try:
        prepare(url, allow_loopback=allow_loopback)
        own = guarded_session(
            allow_loopback=allow_loopback, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        )
        async with own, original(url, session=own, **kwargs) as reader:
            yield reader
    except EgressRefused as err:
        LOGGER.warning("Egress refused for %s: %s", shorten(url), err)
        raise webvh_files.AsyncTextReadError(f"Egress refused: {err}") from None
