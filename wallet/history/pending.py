"""History entries of acts under way: sealed before the act, written to the log after it.

A presentation leaves the wallet before its history entry can be written; a wallet
killed in between has sent it with no entry. So its entry is sealed here first (one
file, `history.pending`, beside the log, under the log's key), keyed by the exchange;
then the act; then the entry goes to the log (once: the log skips an id it holds) and
leaves this file. A wallet stopped in between finds the entry here at its next unlock
and settles it: written if the act happened, dropped if not. Attribute values are
never part of an entry, here as in the log.
"""

import base64
import json
import secrets
from dataclasses import asdict

from cryptography.exceptions import InvalidTag

from .. import durable

FILE = "history.pending"
AAD = b"tessera-history-pending"


class PendingEntries:
    """Entries held under a key (an exchange id) until their act is known to have happened."""

    def __init__(self, directory, aead, log):
        """Keep the file in `directory`, sealed with `aead`; settled entries go to `log`."""
        self.path = directory / FILE
        self._aead = aead
        self._log = log

    def _load(self):
        from .log import Entry, HistoryError  # here: the log module imports this one

        try:
            raw = durable.read_bytes(self.path)
        except FileNotFoundError:
            return {}
        try:
            sealed = json.loads(raw)
            plain = self._aead.decrypt(
                base64.b64decode(sealed["n"]), base64.b64decode(sealed["c"]), AAD
            )
            return {key: Entry(**doc) for key, doc in json.loads(plain).items()}
        except (InvalidTag, ValueError, KeyError, TypeError) as exc:
            raise HistoryError(
                f"{self.path} (history entries of acts under way) cannot be opened: the "
                "passphrase is wrong or it was changed. Keep a copy and restore it from a backup."
            ) from exc

    def _save(self, held):
        if not held:
            durable.remove(self.path)
            return
        nonce = secrets.token_bytes(12)
        plain = json.dumps({key: asdict(e) for key, e in held.items()}, sort_keys=True)
        sealed = self._aead.encrypt(nonce, plain.encode(), AAD)
        doc = {"n": base64.b64encode(nonce).decode(), "c": base64.b64encode(sealed).decode()}
        durable.write_bytes(self.path, json.dumps(doc).encode())

    def keys(self):
        """Return the keys of the entries held (acts that may or may not have happened)."""
        return list(self._load())

    def hold(self, key, entry):
        """Hold `entry` (from `HistoryLog.entry`) under `key` before its act; durable on return."""
        with durable.locked(self.path):
            self._save({**self._load(), key: entry})

    def settle(self, key, happened):
        """Write the entry held under `key` to the log if its act `happened`; forget it either way.

        Return the entry written, or None. Written first, then forgotten: a stop in
        between leaves it held, and settling again does not write it twice.
        """
        with durable.locked(self.path):
            held = self._load()
            entry = held.pop(key, None)
            if entry is not None and happened:
                self._log.add([entry])
            self._save(held)
        return entry if happened else None
