"""The person's credentials as Tessera indexes them: ids, kinds and dates, never values.

Fed from the holder's webhooks: the AnonCreds detail event of an issuance
(`issue_credential_v2_0_anoncreds`, with `cred_id_stored`) says which credential was
stored, and the exchange record's event (`issue_credential_v2_0`, `by_format`) says
its schema, credential definition and connection (whose label names the issuer). The
index pages by newest first with a total, and answers which credentials a proof
request item's restrictions allow, so the wallet asks ACA-Py only for the credentials
it shows or uses (`wallet.holder.credential_index` wires it and says how it is kept).
Stored sealed with AES-GCM under a key derived from the passphrase, as the history
is, and written atomically (`durable.write_bytes`: unique temporary file, fsync,
rename, fsync of the directory).
"""

import json
import secrets
import threading
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .. import durable
from ..errors import WalletError

FORMAT = 1
AAD = b"tessera credential index v1"


class CredentialIndexError(WalletError):
    """The credential index cannot be read: wrong key, or the file was changed."""


@dataclass(frozen=True)
class IndexedCredential:
    """What the index keeps of one credential: never an attribute value."""

    cred_id: str
    schema_id: str
    cred_def_id: str
    issued_at: str
    rev_reg_id: str | None = None
    cred_rev_id: str | None = None
    revoked: bool | None = None
    connection_id: str | None = None

    @property
    def issuer_id(self):
        """Return the issuer's id (the credential definition id up to its first '/')."""
        return self.cred_def_id.split("/", 1)[0]


class CredentialIndex:
    """Credentials by id, paged newest first, filtered by restrictions."""

    def __init__(self, entries=()):
        """Start from `entries` (IndexedCredential)."""
        self._lock = threading.Lock()
        self._by_id = {e.cred_id: e for e in entries}
        self._offers = {}  # cred_ex_id -> (schema_id, cred_def_id, updated_at, connection)
        self._journals = []  # entries added while a relisting runs (see `relist`)
        self._answers = {}  # newest first, and `newest` by restrictions; emptied on any change

    def __len__(self):
        """Return how many credentials are indexed."""
        return len(self._by_id)

    def ids(self):
        """Return the ids of every indexed credential."""
        with self._lock:
            return set(self._by_id)

    def get(self, cred_id):
        """Return one indexed credential, or None."""
        return self._by_id.get(cred_id)

    def apply(self, topic, payload):
        """Fold one holder webhook in; return the credential added, if one was."""
        if topic == "issue_credential_v2_0":
            offer = ((payload.get("by_format") or {}).get("cred_offer") or {}).get("anoncreds")
            if offer and payload.get("cred_ex_id"):
                with self._lock:
                    self._offers[payload["cred_ex_id"]] = (
                        offer["schema_id"],
                        offer["cred_def_id"],
                        payload.get("updated_at") or "",
                        payload.get("connection_id"),
                    )
            return None
        if topic != "issue_credential_v2_0_anoncreds" or not payload.get("cred_id_stored"):
            return None
        with self._lock:
            known = self._offers.pop(payload.get("cred_ex_id"), None)
            if known is None:
                return None  # the exchange's own event carries the kind; it came first
            entry = IndexedCredential(
                cred_id=payload["cred_id_stored"],
                schema_id=known[0],
                cred_def_id=known[1],
                issued_at=payload.get("updated_at") or known[2],
                rev_reg_id=payload.get("rev_reg_id"),
                cred_rev_id=payload.get("cred_rev_id"),
                connection_id=known[3],
            )
            self._put(entry)
        return entry

    def add(self, entry):
        """Index one credential learnt otherwise than by webhook (a listing, a read)."""
        with self._lock:
            self._put(entry)

    def _put(self, entry):
        self._by_id[entry.cred_id] = entry
        self._answers.clear()
        for journal in self._journals:
            journal.append(entry)

    def relist(self, listing):
        """Replace every entry with `listing()`, keeping what webhooks add meanwhile.

        The listing replaces what was known before it began; a credential stored while
        it ran (its webhook folded in meanwhile) is kept on top of it.
        """
        journal = []
        with self._lock:
            self._journals.append(journal)
        try:
            entries = list(listing())
        finally:
            with self._lock:
                self._journals.remove(journal)
        with self._lock:
            self._by_id = {e.cred_id: e for e in entries}
            self._by_id.update((e.cred_id, e) for e in journal)
            self._answers.clear()

    def remove(self, cred_id):
        """Forget a deleted credential (ACA-Py sends no event for a deletion)."""
        with self._lock:
            self._answers.clear()
            return self._by_id.pop(cred_id, None) is not None

    def mark_revoked(self, cred_id, revoked):
        """Record what the last revocation check said of a credential."""
        with self._lock:
            entry = self._by_id.get(cred_id)
            if entry is not None:
                self._by_id[cred_id] = IndexedCredential(**{**asdict(entry), "revoked": revoked})
                self._answers.clear()

    def page(self, offset=0, limit=20, schema_id=None):
        """Return (credentials newest first from `offset`, total matching)."""
        with self._lock:
            found = [e for e in self._newest_first() if schema_id in (None, e.schema_id)]
        return found[offset : offset + limit], len(found)

    def _newest_first(self):
        """Return every entry newest first, sorted once per change (call with the lock held)."""
        found = self._answers.get(None)
        if found is None:
            found = self._answers[None] = _newest_first(self._by_id.values())
        return found

    def allowed(self, restrictions):
        """Return the ids of credentials any one of `restrictions` allows (AnonCreds OR).

        A restriction naming a field the index does not keep (an attribute value, a
        schema name) cannot be decided here: None then tells the caller to ask ACA-Py.
        """
        newest = self.newest(restrictions)
        return None if newest is None else sorted(newest)

    def newest(self, restrictions):
        """Return the ids `restrictions` allow, newest first (None: ask ACA-Py, as `allowed`).

        The index answers `cred_def_id` and `schema_id` exactly as ACA-Py's tags hold
        them, and `issuer_did` / `schema_issuer_did` only for ids that are DID URLs
        (the DID before the first '/'); anything else is left to ACA-Py.

        Answers are kept until the index changes: a consent page asks the same
        restrictions a few times, and at 10,000 credentials each answer costs ~10 ms.
        """
        restrictions = list(restrictions or ())
        if any(not _answerable(r) for r in restrictions):
            return None
        key = json.dumps(restrictions, sort_keys=True)
        with self._lock:
            if key not in self._answers:
                self._answers[key] = self._allowed_newest_first(restrictions)
            found = self._answers[key]
        return None if found is None else list(found)

    def _allowed_newest_first(self, restrictions):
        """Return the ids `restrictions` allow, newest first (call with the lock held)."""
        entries = self._newest_first()  # filtering keeps the order, as sorting after would
        if restrictions and all(restrictions):  # an empty restriction allows any credential
            verdicts = [[_allows(r, e) for r in restrictions] for e in entries]
            if any(None in v for v in verdicts):
                return None
            entries = [e for e, v in zip(entries, verdicts, strict=True) if any(v)]
        return [e.cred_id for e in entries]

    def entries(self):
        """Return every indexed credential (for saving)."""
        with self._lock:
            return list(self._by_id.values())


def _newest_first(entries):
    """Sort by issue time, newest first; equal times (or none known) newest indexed first.

    The index keeps the order credentials were indexed in, and the sort is stable.
    """
    return sorted(reversed(entries), key=lambda e: e.issued_at, reverse=True)


EXACT = frozenset({"cred_def_id", "schema_id"})
DERIVED = {"issuer_did": "cred_def_id", "schema_issuer_did": "schema_id"}


def _answerable(restriction):
    """Return True when the index can decide `restriction` (a plain field: value dict)."""
    for key, value in restriction.items():
        if key in EXACT and isinstance(value, str):
            continue
        if key in DERIVED and isinstance(value, str) and value.startswith("did:"):
            continue
        return False
    return True


def _allows(restriction, entry):
    """Return whether `restriction` allows `entry`; None when an entry's id cannot tell."""
    fields = {"cred_def_id": entry.cred_def_id, "schema_id": entry.schema_id}
    for key, source in DERIVED.items():
        whole = fields[source]
        fields[key] = whole.split("/", 1)[0] if whole.startswith("did:") and "/" in whole else None
    if any(fields[k] is None for k in restriction):
        return None
    return all(fields[k] == v for k, v in restriction.items())


def save(index, path, key):
    """Seal the index with `key` (32 bytes) and write it atomically to `path`."""
    body = json.dumps(
        {"format": FORMAT, "credentials": [asdict(e) for e in index.entries()]},
        sort_keys=True,
    ).encode()
    nonce = secrets.token_bytes(12)
    durable.write_bytes(path, nonce + AESGCM(key).encrypt(nonce, body, AAD))


def load(path, key):
    """Return the index sealed in `path` (an empty one when there is no file yet)."""
    try:
        sealed = durable.read_bytes(path)
    except FileNotFoundError:
        return CredentialIndex()
    try:
        body = AESGCM(key).decrypt(sealed[:12], sealed[12:], AAD)
    except (InvalidTag, ValueError) as exc:
        raise CredentialIndexError(
            f"{path} cannot be opened with this key or was changed; delete it and Tessera "
            "rebuilds it from the wallet at the next unlock."
        ) from exc
    data = json.loads(body)
    if data.get("format") != FORMAT:
        raise CredentialIndexError(
            f"{path} is from another Tessera version (format {data.get('format')})."
        )
    return CredentialIndex(IndexedCredential(**item) for item in data["credentials"])
