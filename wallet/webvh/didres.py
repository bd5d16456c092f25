"""Resolve an issuer's did:webvh DID over the network and find its assertion keys.

The DID log is fetched with Tessera's fetcher (policy, size cap, timeout, trust anchors)
and verified by the `did-webvh` library: every entry's hash chain, SCID and proofs by
the authorised update keys. A resolved document is kept for `ttl` seconds; a key the
cached document does not list makes one fresh resolution before it is refused.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable

from did_webvh.core.file_utils import AsyncTextReadError, read_str
from did_webvh.core.resolver import DidResolver, HistoryResolver
from did_webvh.verify import WebvhVerifier

from .errors import Tampered
from .fetch import Fetcher
from .ids import WebvhDid, parse_did

DEFAULT_TTL = 300.0
WITNESS_FILE = "did-witness.json"


class _FetchedHistory(HistoryResolver):
    """Give the library the DID's log files, fetched under Tessera's policy."""

    def __init__(self, fetcher: Fetcher, did: WebvhDid):
        self.fetcher = fetcher
        self.did = did

    @contextlib.asynccontextmanager
    async def _read(self, url: str, what: str):
        body = await self.fetcher.get(url, what)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise Tampered(f"{what} at {url} is not UTF-8 text") from err
        if not text.strip():  # the library loops forever on an empty log
            raise Tampered(f"{what} at {url} is empty")
        async with read_str(text) as reader:
            yield reader

    def resolve_entry_log(self, document_id):
        """Fetch the DID log."""
        return self._read(self.did.log_url, f"the DID log of {self.did.did}")

    def resolve_witness_log(self, document_id):
        """Fetch the witness file (only for DIDs that name witnesses)."""
        url = self.did.log_url.rsplit("/", 1)[0] + "/" + WITNESS_FILE
        return self._read(url, f"the witness proofs of {self.did.did}")


def _problem(metadata: dict) -> str:
    details = metadata.get("problemDetails") or {}
    if isinstance(details, list):
        details = details[0] if details else {}
    parts = [metadata.get("error"), details.get("title"), details.get("detail")]
    return ": ".join(str(p) for p in parts if p)


class DidDocuments:
    """Resolved DID documents by DID, verified, kept for `ttl` seconds."""

    def __init__(self, fetcher: Fetcher, ttl: float = DEFAULT_TTL, clock: Callable = time.time):
        """Resolve with `fetcher`; `clock` gives seconds."""
        self.fetcher = fetcher
        self.ttl = ttl
        self.clock = clock
        self._docs = {}
        self._locks = {}

    async def resolve(self, did: str) -> dict:
        """Fetch and verify the DID's log now; return its current document."""
        parsed = parse_did(did)
        try:
            result = await DidResolver(WebvhVerifier()).resolve(
                did, _FetchedHistory(self.fetcher, parsed)
            )
        except AsyncTextReadError as err:
            raise Tampered(f"The DID log of {did} cannot be read: {err}") from err
        except ValueError as err:  # the library's parsing errors
            raise Tampered(f"The DID log of {did} at {parsed.log_url} is invalid: {err}") from err
        if result.document is None:
            why = _problem(result.resolution_metadata or {})
            raise Tampered(
                f"The DID log of {did} at {parsed.log_url} does not verify ({why}); "
                "nothing it signs can be trusted"
            )
        if (result.document_metadata or {}).get("deactivated"):
            raise Tampered(f"The DID {did} is deactivated; nothing it signs can be trusted")
        self._docs[did] = (self.clock(), result.document)
        return result.document

    async def _current(self, did: str) -> tuple[dict, bool]:
        """Return (document, resolved just now), resolving once per DID at a time."""
        lock = self._locks.setdefault(did, asyncio.Lock())
        async with lock:
            cached = self._docs.get(did)
            if cached is not None and self.clock() - cached[0] < self.ttl:
                return cached[1], False
            return await self.resolve(did), True

    async def document(self, did: str) -> dict:
        """Return the DID's document, resolving it when not cached or older than `ttl`."""
        return (await self._current(did))[0]

    async def assertion_key(self, did: str, method_id: str) -> str:
        """Return the multikey of `method_id` if the DID lists it as assertion method.

        A key missing from a cached document makes one fresh resolution (a new key).
        """
        document, fresh = await self._current(did)
        key = assertion_key_in(document, did, method_id)
        if key is None and not fresh:
            key = assertion_key_in(await self.resolve(did), did, method_id)
        if key is None:
            raise Tampered(
                f"{method_id} is not an assertion key of {did}; what it signed cannot be trusted"
            )
        return key


def assertion_key_in(document: dict, did: str, method_id: str) -> str | None:
    """Return the multikey of `method_id` if `document` lists it as assertion method (pure)."""
    if not method_id.startswith(did + "#"):
        return None
    fragment = method_id[len(did) :]

    def same(ref):
        ref_id = ref.get("id") if isinstance(ref, dict) else ref
        return ref_id in (method_id, fragment)

    if not any(same(ref) for ref in document.get("assertionMethod") or ()):
        return None
    methods = [
        *(document.get("verificationMethod") or ()),
        *(r for r in document.get("assertionMethod") or () if isinstance(r, dict)),
    ]
    for method in methods:
        if isinstance(method, dict) and same(method) and method.get("type") == "Multikey":
            key = method.get("publicKeyMultibase")
            if isinstance(key, str):
                return key
    return None
