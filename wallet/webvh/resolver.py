"""Fetch attested resources over HTTPS and verify them before anything uses them.

Every resource is checked (shape, id, digest of the content against the id, metadata,
issuer) and its proof verified against the assertion key the issuer's DID lists now;
what passes is cached by id (immutable: the id holds the digest). Status lists are found
through the registry definition's index, refreshed when the asked time may be past its
newest entry, and an index older than one already seen is refused (rollback).
"""

import json
import logging

from ..errors import InputError, IntegrityError, NotFound
from .attested import KINDS, REV_REG_DEF, STATUS_LIST, WORDS, check_resource, parse
from .cache import VerifiedCache, Watermarks
from .didres import DidDocuments
from .errors import Tampered
from .fetch import Fetcher
from .ids import RESOURCES, ResourceId, parse_did, parse_resource_id
from .proof import verify_proof
from .publication import INDEX_FILE
from .statuslist import check_no_rollback, entry_at, needs_refresh, parse_links

LOGGER = logging.getLogger(__name__)


class ResourceResolver:
    """Resolve did:webvh attested resources for one agent."""

    def __init__(
        self,
        fetcher: Fetcher,
        dids: DidDocuments,
        cache: VerifiedCache | None = None,
        watermarks: Watermarks | None = None,
    ):
        """Fetch with `fetcher`, check keys with `dids`, keep what passed in `cache`."""
        self.fetcher = fetcher
        self.dids = dids
        self.cache = cache or VerifiedCache()
        self.watermarks = watermarks or Watermarks()
        self._index = {}

    async def fetch_verified(self, rid: ResourceId, kinds=KINDS) -> dict:
        """Fetch `rid` now and verify it; return the resource document. Never cached here."""
        words = " or ".join(WORDS[k] for k in kinds)
        raw = await self.fetcher.get(rid.url, f"the {words} {rid.id}")
        doc = parse(raw, rid)
        check_resource(doc, rid, kinds)
        method = doc["proof"]["verificationMethod"]
        key = await self.dids.assertion_key(rid.did.did, method)
        verify_proof(doc, key, rid.id)
        return doc

    async def resource(self, resource_id: str, kinds=KINDS) -> dict:
        """Return the verified resource document of `resource_id` (cached by digest)."""
        rid = parse_resource_id(resource_id)
        doc = self.cache.get(rid)
        if doc is None:
            doc = await self.fetch_verified(rid, kinds)
            self.cache.put(rid, doc)
        kind = doc["metadata"]["resourceType"]
        if kind not in kinds:
            raise Tampered(f"{rid.id} is a {WORDS.get(kind, kind)}, not a {WORDS[kinds[0]]}")
        return doc

    async def content(self, resource_id: str, kind: str) -> tuple[dict, dict]:
        """Return (content, metadata) of a verified resource of `kind`."""
        doc = await self.resource(resource_id, (kind,))
        return doc["content"], doc["metadata"]

    async def listed(self, did: str, key: str, kind: str) -> tuple[list[str], dict[str, str]]:
        """Return (verified ids, {refused id: reason}) of `kind` the issuer's index lists.

        The index is a hint: every id in it must be the issuer's own and verify like any
        resource, or it is refused.
        """
        parsed = parse_did(did)
        url = parsed.base_url + f"{RESOURCES}/{INDEX_FILE}"
        raw = await self.fetcher.get(url, f"the index of {did}")
        try:
            listed = json.loads(raw).get(key) or []
        except (ValueError, AttributeError) as err:
            raise Tampered(f"The index of {did} at {url} is not a JSON object: {err}") from None
        found, refused = [], {}
        for object_id in listed if isinstance(listed, list) else []:
            try:
                if parse_resource_id(str(object_id)).did != parsed:
                    raise Tampered(f"{object_id} is not a resource of {did}")
                await self.resource(object_id, (kind,))
            except (IntegrityError, NotFound, InputError) as err:
                refused[str(object_id)] = str(err)
            else:
                found.append(object_id)
        return found, refused

    async def index(self, rev_reg_id: str, timestamp_to: int | None):
        """Return the status-list entries of a registry, fresh enough for `timestamp_to`."""
        entries = self._index.get(rev_reg_id)
        if not needs_refresh(entries, timestamp_to):
            return entries
        rid = parse_resource_id(rev_reg_id)
        doc = await self.fetch_verified(rid, (REV_REG_DEF,))
        entries = parse_links(doc.get("links"), rid)
        check_no_rollback(entries, self.watermarks.seen(rev_reg_id), rev_reg_id)
        if entries:
            self.watermarks.advance(rev_reg_id, entries[-1])
        if self.cache.get(rid) is None:  # the definition itself never changes: keep it once
            self.cache.put(rid, doc)
        self._index[rev_reg_id] = entries
        return entries

    async def status_list(self, rev_reg_id: str, timestamp_to: int | None) -> dict:
        """Return the content of the status list in force at `timestamp_to` (newest if None)."""
        entries = await self.index(rev_reg_id, timestamp_to)
        entry = entry_at(entries, timestamp_to, rev_reg_id)
        content, _meta = await self.content(entry.id, STATUS_LIST)
        if content.get("revRegDefId") != rev_reg_id or content.get("timestamp") != entry.timestamp:
            raise Tampered(
                f"The status list {entry.id} belongs to {content.get('revRegDefId')!r} at "
                f"{content.get('timestamp')!r}, not to {rev_reg_id} at {entry.timestamp}"
            )
        return content
