"""Publishing an issuer's AnonCreds objects as attested resources in its publication directory.

Each object is signed by the DID's assertion key (in the agent's wallet), checked against
the public key before it is written, and written atomically. A status list is written
first, then the registry definition's index re-signed with the new link, so a crash in
between leaves only an unlinked file. Appends to one registry's index are serialised.
"""

import asyncio
import datetime
import time
from collections.abc import Callable

from acapy_agent.core.profile import Profile

from .attested import CRED_DEF, REV_REG_DEF, SCHEMA, STATUS_LIST, attest, check_resource, unsigned
from .errors import InputError, NotPublished, Tampered
from .identity import Identity
from .ids import digest_multibase, parse_resource_id, resource_id
from .proof import verify_proof
from .publication import Publication
from .statuslist import Entry, next_timestamp, parse_links

INDEXED = {SCHEMA: "schemas", CRED_DEF: "credentialDefinitions"}


class Issuing:
    """An issuer agent's side of the registry: it writes, the publication server serves."""

    def __init__(self, publication: Publication, clock: Callable[[], float] = time.time):
        """Write into `publication`; `clock` gives seconds since the epoch."""
        self.publication = publication
        self.clock = clock
        self._locks = {}

    def now(self) -> datetime.datetime:
        """Return the clock's time as an aware datetime."""
        return datetime.datetime.fromtimestamp(self.clock(), datetime.UTC)

    async def _sign_and_write(self, profile: Profile, identity: Identity, doc: dict) -> dict:
        signed = await attest(doc, identity.signer(profile), identity.method_id, self.now())
        rid = parse_resource_id(signed["id"])
        check_resource(signed, rid)
        verify_proof(signed, identity.assertion_multikey, rid.id)
        self.publication.write_resource(rid, signed)
        return signed

    async def publish(
        self, profile: Profile, identity: Identity, content: dict, kind: str, name: str
    ) -> str:
        """Publish `content` as a resource of `kind` (kept as it is if already there)."""
        if content.get("issuerId") != identity.did:
            raise InputError(
                f"The object names issuer {content.get('issuerId')!r}, but this agent "
                f"publishes as {identity.did}"
            )
        rid = parse_resource_id(resource_id(identity.did, content))
        existing = self.publication.read_resource(rid)
        if existing is None or existing.get("content") != content:
            links = [] if kind == REV_REG_DEF else None
            doc = unsigned(identity.did, content, kind, name, links)
            await self._sign_and_write(profile, identity, doc)
        if kind in INDEXED:
            async with self._locks.setdefault("index", asyncio.Lock()):
                self.publication.add_to_index(rid.did, INDEXED[kind], rid.id)
        return rid.id

    async def append_status_list(
        self, profile: Profile, identity: Identity, rev_reg_id: str, rev_list: dict
    ) -> dict:
        """Publish a status list stamped after the newest one, link it; return its content."""
        lock = self._locks.setdefault(rev_reg_id, asyncio.Lock())
        async with lock:
            rid = parse_resource_id(rev_reg_id)
            if rid.did.did != identity.did:
                raise InputError(f"{rev_reg_id} is not a registry of {identity.did}")
            index_doc = self.publication.read_resource(rid)
            if index_doc is None:
                raise NotPublished(f"The registry definition {rev_reg_id} is not published")
            check_resource(index_doc, rid, (REV_REG_DEF,))
            entries = parse_links(index_doc.get("links"), rid)
            stamp = next_timestamp(entries, int(self.clock()))
            content = {**rev_list, "issuerId": identity.did, "timestamp": stamp}
            if content.get("revRegDefId") != rev_reg_id:
                raise InputError(f"The list names registry {content.get('revRegDefId')!r}")
            tag = index_doc["content"].get("tag", "")
            await self._sign_and_write(
                profile, identity, unsigned(identity.did, content, STATUS_LIST, tag)
            )
            entry = Entry(stamp, resource_id(identity.did, content))
            links = [*(index_doc.get("links") or ()), entry.to_link()]
            index = {k: v for k, v in index_doc.items() if k != "proof"}
            if digest_multibase(index["content"]) != rid.digest:
                raise Tampered(f"The published copy of {rev_reg_id} is damaged")
            await self._sign_and_write(profile, identity, {**index, "links": links})
            return content
