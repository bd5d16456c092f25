"""Where the history's head is anchored: its line count and the hash of its last line.

A line of the history cannot be forged without the key, but lines at the end can be
dropped: the shorter file is still a valid chain. The anchor remembers how far the
history reached, so that a history shorter than it, or diverging from it, is reported
as tampering. The anchor only moves forward, after the lines it counts are on disk.

- `StoreAnchor` keeps it as a record in the wallet's encrypted Askar store (the agent's
  own store, opened with the wallet key beside the running agent). Rolling the history
  back together with it means rolling the whole store back: every credential,
  connection and exchange since, which the person sees. Used by the person's wallet.
- `FileAnchor` keeps it in a sealed file beside the history (key: the history key).
  It catches lines dropped from the history alone and tails lost in a crash, not an
  attacker who also puts back an old copy of the anchor file. Used where there is no
  local store (a hosted person's files, tests).
"""

import asyncio
import base64
import json
import logging
import secrets
import threading
import urllib.parse
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from .. import durable
from ..errors import WalletError

ANCHOR_FILE = "history.anchor"
ANCHOR_AAD = b"tessera-history-anchor"
CATEGORY = "tessera-history"
RECORD = "head"
KEY_METHOD = "kdf:argon2i:mod"  # ACA-Py's default wallet key derivation
LOG = logging.getLogger(__name__)


class AnchorError(WalletError):
    """The anchor cannot be read or written."""


@dataclass(frozen=True)
class Head:
    """How far the history reached: `count` lines, the last one hashing to `digest`."""

    count: int
    digest: bytes

    def to_json(self):
        """Return the head as a JSON-ready dict."""
        return {"count": self.count, "head": self.digest.hex()}

    @classmethod
    def from_json(cls, doc):
        """Read a head written by `to_json`; `AnchorError` when it is not one."""
        try:
            count, digest = doc["count"], bytes.fromhex(doc["head"])
        except (KeyError, TypeError, ValueError) as exc:
            raise AnchorError("The history's anchor is not a count and a hash.") from exc
        if not isinstance(count, int) or count < 0 or len(digest) != 32:
            raise AnchorError("The history's anchor is not a count and a hash.")
        return cls(count, digest)


class FileAnchor:
    """The head in a sealed file (AES-GCM under the history key) beside the history."""

    def __init__(self, path, aead):
        """Keep the head in `path`, sealed with `aead` (the history's AESGCM)."""
        self.path = path
        self._aead = aead

    def load(self):
        """Return the anchored `Head`, or None when nothing was anchored yet."""
        doc = durable.read_json(self.path, missing=None)
        if doc is None:
            return None
        try:
            plain = self._aead.decrypt(
                base64.b64decode(doc["n"]), base64.b64decode(doc["c"]), ANCHOR_AAD
            )
        except (InvalidTag, KeyError, TypeError, ValueError) as exc:
            raise AnchorError(
                f"The history's anchor {self.path} cannot be opened: it was changed."
            ) from exc
        return Head.from_json(json.loads(plain))

    def save(self, head):
        """Anchor `head` (atomically and durably)."""
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, json.dumps(head.to_json()).encode(), ANCHOR_AAD)
        doc = {"n": base64.b64encode(nonce).decode(), "c": base64.b64encode(sealed).decode()}
        durable.write_json(self.path, doc)

    def close(self):
        """Nothing to release."""


class StoreAnchor:
    """The head as a record in the wallet's Askar store, opened once with the wallet key."""

    def __init__(self, uri, wallet_key, key_method=KEY_METHOD):
        """Use the store at `uri` (opened on first use; the key derivation takes a while)."""
        self.uri = uri
        self._key = (key_method, wallet_key)
        self._store = None
        self._loop = None
        self._lock = threading.Lock()

    @classmethod
    def for_file(cls, path, wallet_key, key_method=KEY_METHOD):
        """Use the SQLite store file at `path` (the holder's `sqlite.db`)."""
        return cls(f"sqlite://{urllib.parse.quote(str(path))}", wallet_key, key_method)

    def _run(self, operation):
        from aries_askar import AskarError, Store  # the agent's library, loaded when used

        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
            try:
                if self._store is None:
                    self._store = self._loop.run_until_complete(Store.open(self.uri, *self._key))
                return self._loop.run_until_complete(operation(self._store))
            except AskarError as exc:
                raise AnchorError(
                    f"The wallet's store cannot keep the history's anchor: {exc}"
                ) from exc

    def load(self):
        """Return the anchored `Head`, or None when nothing was anchored yet."""

        async def fetch(store):
            async with store.session() as session:
                entry = await session.fetch(CATEGORY, RECORD)
            return None if entry is None else entry.value

        value = self._run(fetch)
        return None if value is None else Head.from_json(json.loads(value))

    def save(self, head):
        """Anchor `head` in the store (one transaction)."""
        value = json.dumps(head.to_json()).encode()

        async def put(store):
            async with store.transaction() as txn:
                if await txn.fetch(CATEGORY, RECORD, for_update=True) is None:
                    await txn.insert(CATEGORY, RECORD, value)
                else:
                    await txn.replace(CATEGORY, RECORD, value)
                await txn.commit()

        self._run(put)

    def close(self):
        """Close the store and the loop (on lock); a store that fails to close is logged."""
        from aries_askar import AskarError

        with self._lock:
            if self._loop is None:
                return
            try:
                if self._store is not None:
                    self._loop.run_until_complete(self._store.close())
            except AskarError as exc:  # locking goes on: the agent must still be stopped
                LOG.warning("The wallet's store did not close after the history: %s", exc)
            finally:
                self._store = None
                self._loop.close()
                self._loop = None
