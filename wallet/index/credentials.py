"""The person's credentials as Tessera indexes them: ids, kinds and dates, never values.

Fed from the holder's webhooks: the AnonCreds detail event of an issuance
(`issue_credential_v2_0_anoncreds`, with `cred_id_stored`) says which credential was
stored, and the exchange record's event (`issue_credential_v2_0`, `by_format`) says
its schema and credential definition. The index pages by newest first with a total,
and answers which credentials a proof request item's restrictions allow, so the
wallet asks ACA-Py only for the credentials it shows or uses. Stored sealed with
AES-GCM under a key derived from the passphrase, as the history is, and written
atomically (unique temporary file, fsync, rename, fsync of the directory).
"""

import json
import os
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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
        self._offers = {}  # cred_ex_id -> (schema_id, cred_def_id, updated_at) awaiting storage

    def __len__(self):
        """Return how many credentials are indexed."""
        return len(self._by_id)

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
            )
            self._by_id[entry.cred_id] = entry
        return entry

    def remove(self, cred_id):
        """Forget a deleted credential (ACA-Py sends no event for a deletion)."""
        with self._lock:
            return self._by_id.pop(cred_id, None) is not None

    def mark_revoked(self, cred_id, revoked):
        """Record what the last revocation check said of a credential."""
        with self._lock:
            entry = self._by_id.get(cred_id)
            if entry is not None:
                self._by_id[cred_id] = IndexedCredential(**{**asdict(entry), "revoked": revoked})

    def page(self, offset=0, limit=20, schema_id=None):
        """Return (credentials newest first from `offset`, total matching)."""
        with self._lock:
            found = [e for e in self._by_id.values() if schema_id in (None, e.schema_id)]
        found.sort(key=lambda e: (e.issued_at, e.cred_id), reverse=True)
        return found[offset : offset + limit], len(found)

    def allowed(self, restrictions):
        """Return the ids of credentials any one of `restrictions` allows (AnonCreds OR).

        A restriction naming a field the index does not keep (an attribute value, a
        schema name) cannot be decided here: None then tells the caller to ask ACA-Py.
        """
        keys = {"cred_def_id", "schema_id", "issuer_did", "schema_issuer_did"}
        if not restrictions:
            with self._lock:
                return sorted(self._by_id)
        if any(set(r) - keys for r in restrictions):
            return None
        with self._lock:
            entries = list(self._by_id.values())
        return sorted(e.cred_id for e in entries if any(_allows(r, e) for r in restrictions))

    def entries(self):
        """Return every indexed credential (for saving)."""
        with self._lock:
            return list(self._by_id.values())


def _allows(restriction, entry):
    fields = {
        "cred_def_id": entry.cred_def_id,
        "schema_id": entry.schema_id,
        "issuer_did": entry.issuer_id,
        "schema_issuer_did": entry.schema_id.split("/", 1)[0],
    }
    return all(fields[k] == v for k, v in restriction.items())


def save(index, path, key):
    """Seal the index with `key` (32 bytes) and write it atomically to `path`."""
    body = json.dumps(
        {"format": FORMAT, "credentials": [asdict(e) for e in index.entries()]},
        sort_keys=True,
    ).encode()
    nonce = secrets.token_bytes(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, body, AAD)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(sealed)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load(path, key):
    """Return the index sealed in `path` (an empty one when there is no file yet)."""
    try:
        sealed = Path(path).read_bytes()
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
