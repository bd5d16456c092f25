"""The person's credentials read through Tessera's own index: pages and candidates by id.

ACA-Py 1.7 lists every matching credential, in storage order and with no total, so a
page of the credentials list or a proof request's candidates read the whole wallet.
`HeldCredentials` keeps a `CredentialIndex` (ids, kinds, dates, never values) and asks
ACA-Py only for the credentials it shows or uses, by id.

Where the index comes from:

- unlock: read from its sealed file (`credentials.index`, key `history.subkey`), and
  the file is removed once read: only a lock writes it back, so after a crash (when
  webhooks may have been lost with the process) the file is missing and the next
  unlock rebuilds it;
- rebuilt, when the file is missing or unreadable (then set aside and logged) or the
  agent was restarted since the last build (a dying agent's webhooks are lost), from
  one listing of the credentials (`GET /credentials`, page by page) and one of the
  finished issue exchanges (for dates and issuers);
- kept by the holder's webhooks (`CredentialIndex.apply`), by deletions through the
  wallet (`removed`) and by revocation checks (`revocation_checked`).

The index is a hint, checked on every read, so a trailing or lost webhook never hides
a credential and a credential gone is never offered:

- before each page and each request's candidates, the index asks the agent whether
  any credential was stored or deleted since the index was last found complete
  (`wallet.speedups`' change count, `GET /tessera/credentials/changes`). Only when
  one was does it check: ACA-Py has no count, but it answers from an offset, so it
  asks for the credentials from one before the count the index knows (`GET
  /credentials?offset=<known - 1>&limit=2`; Askar skips the rows one by one, ~57 ms at
  10,000). One: ACA-Py holds as many as the index. Two: some were stored whose webhook
  has not come yet; none: some were deleted behind the wallet's back; either way one
  listing finds what the index lacks and what is gone. (Askar lists in the order of
  its encrypted names, not the order credentials were stored in, so the credentials
  past the offset are not the new ones: only the count tells. A deletion and a store
  both behind the wallet's back leave the count as it was: the one gone leaves when
  it is read, and the count is checked again then.)
- every credential shown or used is read by id (all of a page in one call, through
  `wallet.speedups`' `POST /tessera/credentials/read`); one that is gone leaves the
  index, the count is asked again (a count one too high could hide a new one), and
  it is never shown.

Candidates: an item whose restrictions the index can answer (`cred_def_id`,
`schema_id`, and the issuer or schema issuer of DID-URL ids: `CredentialIndex.newest`)
gets its `KEEP` newest allowed credentials, read by id (all of them in one listing
when the query matches no more than that, as a new wallet's do); `cut` says how many of how
many, and the consent page says so ("the 20 newest of 1,000"). Items the index cannot
answer (attribute values, schema names) are looked up whole through ACA-Py. The
predicate and revocation are then checked by value (`present.assess`), which looks an
item up whole through ACA-Py when none of its newest credentials can answer it.
"""

import datetime
import logging
import threading
from collections import defaultdict

from .. import durable
from ..flows import held, issue, present
from ..flows.matching import Candidate
from ..index import credentials as sealed
from ..index.credentials import CredentialIndex, CredentialIndexError, IndexedCredential
from .records import IssuanceIndex, connection_labels

FILE = "credentials.index"
KEY_PURPOSE = b"tessera credential index"
KEEP = 20
PAGE = held.PAGE
LOG = logging.getLogger(__name__)


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


def _stamp(when):
    """Return `when` as ACA-Py writes `updated_at` (so both sort together)."""
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _query(restrictions):
    """Return the wallet query of an item's restrictions (AnonCreds OR); None: any."""
    restrictions = list(restrictions or ())
    if not restrictions or not all(restrictions):
        return None
    return restrictions[0] if len(restrictions) == 1 else {"$or": restrictions}


class HeldCredentials:
    """The person's credentials by index: paged newest first, candidates by restriction."""

    def __init__(self, wall_clock=_utcnow, generation=lambda: 0, keep=KEEP):
        """`generation()` changes when the agent restarts; `wall_clock()` dates what a read finds.

        `keep` bounds how many of an item's newest credentials are read for a request.
        """
        self.wall_clock = wall_clock
        self.generation = generation
        self.keep = keep
        self.index = CredentialIndex()
        self.issuance = IssuanceIndex()  # issuers of credentials the index has no connection for
        self._path = None
        self._key = None
        self._built = None  # agent generation the index is complete for; None: rebuild
        self._complete_at = None  # the agent's change count when the index was last complete
        self._building = threading.Lock()

    # Unlock and lock

    def open(self, directory, key):
        """Read the sealed index at unlock (then remove its file until `close`)."""
        path = durable.private_dir(directory) / FILE
        self._path, self._key = path, key
        self.issuance = IssuanceIndex()
        try:
            self.index = sealed.load(path, key)
        except CredentialIndexError as exc:
            LOG.warning("%s", exc)
            aside = path.with_name(f"{FILE}.unreadable")
            durable.write_bytes(aside, durable.read_bytes(path))
            durable.remove(path)
            self.index, self._built = CredentialIndex(), None
            return
        if durable.exists(path):
            durable.remove(path)  # written back at lock: a crash leaves none, and a rebuild
            self._built = self.generation()
        else:
            self._built = None

    def close(self):
        """Seal the index to its file (at lock) and forget it."""
        path, key, built = self._path, self._key, self._built
        if path is not None and built is not None:
            sealed.save(self.index, path, key)
        self.index, self._path, self._key, self._built = CredentialIndex(), None, None, None
        self._complete_at = None

    def on_event(self, event):
        """Fold in one of the holder's webhooks."""
        if event.role == "holder":
            self.index.apply(event.topic, event.payload)

    # Building

    def fresh(self, agent):
        """Rebuild first when the index is missing or the agent restarted since it was built."""
        if self._built is None or self._built != self.generation():
            self.rebuild(agent)

    def rebuild(self, agent):
        """Build the index again from one listing of the credentials and issue exchanges."""
        with self._building:
            generation, mark = self.generation(), held.changes(agent)
            self.index.relist(lambda: self._listing(agent))
            self._built, self._complete_at = generation, mark

    def _listing(self, agent):
        issued, offset = {}, 0
        while True:
            batch = issue.records(agent, role="holder", state="done", limit=PAGE, offset=offset)
            for record in batch:
                if record.cred_id_stored:
                    issued[record.cred_id_stored] = (record.updated_at, record.connection_id)
            if len(batch) < PAGE:
                break
            offset += PAGE
        return [
            _entry(info, *issued.get(info["referent"], ("", None)))
            for info in held.credentials(agent)
        ]

    def probe(self, agent):
        """Make the index hold what ACA-Py holds when the counts differ; return what it added.

        One call when no credential was stored or deleted since the index was last found
        complete (the agent's change count, `held.changes`); else one more compares the
        counts, and only when they differ does a listing of the wallet find what the
        index lacks and what is gone.
        """
        mark = held.changes(agent)  # read first: a change from here on is seen next time
        if mark == self._complete_at:
            return []
        known = self.index.ids()  # all stored before the listing below (webhooks trail)
        # From one before the known count: 2 when ACA-Py holds more, 1 as many, 0 fewer.
        past = held.listed(agent, offset=max(len(known) - 1, 0), limit=2)
        found = []
        if len(past) != min(len(known), 1):
            listed = {info["referent"]: info for info in held.credentials(agent)}
            for cred_id in known - listed.keys():
                self.index.remove(cred_id)  # deleted behind the wallet's back
            for cred_id, info in listed.items():
                if self.index.get(cred_id) is None:
                    entry = _entry(info, _stamp(self.wall_clock()), None)
                    self.index.add(entry)
                    found.append(entry)
        self._complete_at = mark
        return found

    # Reading

    def read(self, agent, cred_ids):
        """Return {id: info, or None (and out of the index) when it is gone}, in one call."""
        found = held.read(agent, cred_ids)
        for cred_id, info in found.items():
            if info is None:
                self.index.remove(cred_id)
                self._complete_at = None  # its place in the count may hide a new one
        return found

    def page(self, agent, offset=0, limit=20):
        """Return (credential infos newest first from `offset`, total), read by id."""
        self.fresh(agent)
        self.probe(agent)
        while True:
            entries, total = self.index.page(offset, limit)
            ids = [e.cred_id for e in entries]
            got = self._read_all(agent, None, ids, total)
            if all(got[i] is not None for i in ids):
                return [got[i] for i in ids], total
            self.probe(agent)  # one was gone: the count was one too high, read again

    def lookup(self, agent, cred_ids, firms=None):
        """Return {cred id: (issuer label, issue time)}, as `IssuanceIndex.lookup` does.

        `firms` is {connection id: label} when already read (`connection_labels`).
        """
        firms = connection_labels(agent) if firms is None else firms
        found, unknown = {}, []
        for cred_id in cred_ids:
            entry = self.index.get(cred_id)
            if entry is not None and entry.connection_id and entry.issued_at:
                found[cred_id] = (firms.get(entry.connection_id, "(unknown firm)"), entry.issued_at)
            else:
                unknown.append(cred_id)
        if unknown:
            found.update(self.issuance.lookup(agent, unknown, firms))
        return found

    def candidates(self, agent, pres_ex_id, request):
        """Return (`Candidate`s, cut) for a request: a `present.assess` lookup.

        `cut` maps each item whose allowed credentials were more than `keep` to (read,
        allowed). Items the index cannot answer are looked up whole through ACA-Py.
        """
        self.fresh(agent)
        items, whole = {}, set()
        for part in ("requested_attributes", "requested_predicates"):
            for referent, item in (request.get(part) or {}).items():
                restrictions = item.get("restrictions") or []
                if self.index.newest(restrictions) is None:
                    whole.add(referent)
                else:
                    items[referent] = restrictions
        infos, referents_of, cut = {}, defaultdict(set), {}
        if items:
            self.probe(agent)  # once for the whole request: a proof of 2 items made 2 calls
            for referent, (taken, allowed) in self._newest(agent, items, infos).items():
                for cred_id in taken:
                    referents_of[cred_id].add(referent)
                if allowed > len(taken):
                    cut[referent] = (len(taken), allowed)
        found = [  # oldest first, as ACA-Py lists them: the first usable is the default pick
            Candidate.from_agent({"cred_info": infos[c], "presentation_referents": sorted(refs)})
            for c, refs in reversed(referents_of.items())
        ]
        if whole:
            more = present.candidates(agent, pres_ex_id, request, referents=whole)
            found = present.merge_candidates(found, more)
        return found, cut

    def _newest(self, agent, items, infos):
        """Return {referent: (ids of the `keep` newest allowed, how many are allowed)}.

        `items` maps each referent to its restrictions. The credentials of every item
        are read in one call (a proof of 2 items read them in 2). The caller has probed
        the agent's change count first.
        """
        while True:
            allowed = {r: self.index.newest(restrictions) for r, restrictions in items.items()}
            want = [c for ids in allowed.values() for c in ids[: self.keep] if c not in infos]
            want = list(dict.fromkeys(want))
            if len(items) == 1:
                [(referent, restrictions)] = items.items()
                infos.update(
                    self._read_all(agent, _query(restrictions), want, len(allowed[referent]))
                )
            elif want:
                infos.update(self.read(agent, want))
            taken = {
                r: [c for c in ids[: self.keep] if infos[c] is not None]
                for r, ids in allowed.items()
            }
            if all(len(taken[r]) == len(allowed[r][: self.keep]) for r in items):
                return {r: (taken[r], len(allowed[r])) for r in items}
            self.probe(agent)  # one was gone: a new one may hide behind it

    def _read_all(self, agent, wql, ids, matching):
        """Return {id: info, or None when gone} of `ids`, of the `matching` a query matches.

        When the query matches no more than are wanted (a wallet of a few credentials),
        one listing reads them all; else they are read by id, in one call.
        """
        if not ids:
            return {}
        if matching <= len(ids):
            listed = {i["referent"]: i for i in held.listed(agent, wql, limit=matching + 1)}
            if set(ids) <= set(listed):
                return {i: listed[i] for i in ids}
        return self.read(agent, ids)

    # Changes the wallet makes or learns

    def removed(self, cred_id):
        """Forget a credential the wallet deleted."""
        self.index.remove(cred_id)

    def revocation_checked(self, statuses):
        """Record what a revocation check found ({cred id: `CredentialStatus`})."""
        for cred_id, status in statuses.items():
            if status.revocable and status.checked_at is not None:
                self.index.mark_revoked(cred_id, status.revoked)


def _entry(info, issued_at, connection_id):
    """Return the `IndexedCredential` of one credential's info (its values are left out)."""
    return IndexedCredential(
        cred_id=info["referent"],
        schema_id=info.get("schema_id") or "",
        cred_def_id=info.get("cred_def_id") or "",
        issued_at=issued_at or "",
        rev_reg_id=info.get("rev_reg_id"),
        cred_rev_id=info.get("cred_rev_id"),
        connection_id=connection_id,
    )
