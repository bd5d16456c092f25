"""A hosted person's Tessera files in PostgreSQL, each sealed under a key from their passphrase.

`Vault` is the backend `wallet.durable.mount` serves a person's data directory from:
rules, prices, receipt links and keys, tokens, settings, the backup schedule, revocation
status, and the history log (appended as sealed chunks). Every value is AES-256-GCM
sealed with the person's files key; the associated data names the account and the file,
so rows moved between people or names do not open. Every change is *fenced*: it is
written only while this instance still holds the person's lease, in the same
transaction, so an instance that lost the person can never overwrite the new holder.
"""

import collections
import secrets
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import InputError
from .errors import LeaseLost


class SealedDamaged(InputError):
    """A stored value does not open: it was changed, or belongs to someone else."""


def check_name(name):
    """Return `name` when it is a relative data file name without '..'."""
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise InputError(f"Not a data file name: {name!r}.")
    return name


class Vault:
    """One person's sealed files and append-only logs; fenced by their lease."""

    def __init__(self, db, account, files_key, fence):
        """Use `db`; `fence` is the `Lease` every change must still hold."""
        self.db = db
        self.account = account
        self._aead = AESGCM(files_key)
        self.fence = fence
        self._locks = collections.defaultdict(threading.RLock)
        self._guard = threading.Lock()

    def _aad(self, kind, name):
        return f"tessera-vault:{kind}:{self.account}:{name}".encode()

    def seal(self, kind, name, data):
        """Return `data` sealed for `name`."""
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, bytes(data), self._aad(kind, name))

    def unseal(self, kind, name, sealed):
        """Return the plain bytes of a sealed value; `SealedDamaged` when it does not open."""
        sealed = bytes(sealed)
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], self._aad(kind, name))
        except (InvalidTag, ValueError) as exc:
            raise SealedDamaged(
                f"Your stored {name} does not open: it was changed outside Tessera. "
                "Restore it from a backup."
            ) from exc

    def _fenced(self, conn):
        """Inside a transaction: raise `LeaseLost` unless this instance still holds the lease."""
        row = conn.execute(
            "SELECT 1 FROM leases WHERE account = %s AND instance = %s AND epoch = %s FOR SHARE",
            (self.account, self.fence.instance, self.fence.epoch),
        ).fetchone()
        if row is None:
            raise LeaseLost()

    # Files

    def read(self, name):
        """Return a file's bytes; `FileNotFoundError` when there is none."""
        row = self.db.one(
            "SELECT sealed FROM person_files WHERE account = %s AND name = %s",
            (self.account, check_name(name)),
        )
        if row is None:
            raise FileNotFoundError(name)
        return self.unseal("file", name, row[0])

    def exists(self, name):
        """Return True when the file exists."""
        return (
            self.db.one(
                "SELECT 1 FROM person_files WHERE account = %s AND name = %s",
                (self.account, check_name(name)),
            )
            is not None
        )

    def write(self, name, data, replace=True):
        """Store a file; with `replace=False` an existing one stays (`FileExistsError`)."""
        sealed = self.seal("file", check_name(name), data)
        conflict = "UPDATE SET sealed = EXCLUDED.sealed" if replace else "NOTHING"
        with self.db.transaction() as conn:
            self._fenced(conn)
            done = conn.execute(
                "INSERT INTO person_files (account, name, sealed) VALUES (%s, %s, %s) "
                f"ON CONFLICT (account, name) DO {conflict}",
                (self.account, name, sealed),
            ).rowcount
        if not done:
            raise FileExistsError(name)

    def remove(self, name):
        """Delete a file if it exists."""
        with self.db.transaction() as conn:
            self._fenced(conn)
            conn.execute(
                "DELETE FROM person_files WHERE account = %s AND name = %s",
                (self.account, check_name(name)),
            )

    def rename(self, name, new):
        """Move a file to a new name (a damaged file set aside), sealed again for it."""
        data = self.read(name)
        with self.db.transaction() as conn:
            self._fenced(conn)
            conn.execute(
                "DELETE FROM person_files WHERE account = %s AND name = %s", (self.account, name)
            )
            conn.execute(
                "INSERT INTO person_files (account, name, sealed) VALUES (%s, %s, %s) "
                "ON CONFLICT (account, name) DO UPDATE SET sealed = EXCLUDED.sealed",
                (self.account, check_name(new), self.seal("file", new, data)),
            )

    def locked(self, name):
        """Return the lock of one file (this instance is the only writer: it holds the lease)."""
        with self._guard:
            return self._locks[name]

    def names(self):
        """Return every file and log name of the person."""
        rows = self.db.rows(
            "SELECT name FROM person_files WHERE account = %s "
            "UNION SELECT DISTINCT name FROM person_chunks WHERE account = %s ORDER BY 1",
            (self.account, self.account),
        )
        return [row[0] for row in rows]

    # Append-only logs (the history): one sealed chunk per append

    def append(self, name, data):
        """Append `data` to the log `name` (one sealed chunk)."""
        check_name(name)
        with self.db.transaction() as conn:
            self._fenced(conn)
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{self.account}/{name}",))
            row = conn.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM person_chunks "
                "WHERE account = %s AND name = %s",
                (self.account, name),
            ).fetchone()
            seq = row[0]
            conn.execute(
                "INSERT INTO person_chunks (account, name, seq, sealed) VALUES (%s, %s, %s, %s)",
                (self.account, name, seq, self.seal(f"chunk:{seq}", name, data)),
            )

    def read_log(self, name):
        """Return a log's bytes (its chunks in order); `FileNotFoundError` when empty."""
        rows = self.db.rows(
            "SELECT seq, sealed FROM person_chunks WHERE account = %s AND name = %s ORDER BY seq",
            (self.account, check_name(name)),
        )
        if not rows:
            raise FileNotFoundError(name)
        for index, (seq, _) in enumerate(rows, start=1):
            if seq != index:
                raise SealedDamaged(f"Your stored {name} lost a part: restore it from a backup.")
        return b"".join(self.unseal(f"chunk:{seq}", name, sealed) for seq, sealed in rows)

    def version(self, name):
        """Return (chunks, last chunk) of a log, or None when it is empty."""
        row = self.db.one(
            "SELECT count(*), max(seq) FROM person_chunks WHERE account = %s AND name = %s",
            (self.account, check_name(name)),
        )
        return None if not row or not row[0] else (row[0], row[1])


class MountedVault:
    """The `durable` backend face of a `Vault`: logs ('*.log') are chunks, the rest files."""

    def __init__(self, vault):
        """Serve `vault`."""
        self.vault = vault

    @staticmethod
    def _is_log(name):
        return name.endswith(".log")

    def read(self, name):
        """Return a file's (or log's) bytes."""
        return self.vault.read_log(name) if self._is_log(name) else self.vault.read(name)

    def exists(self, name):
        """Return True when the file (or log) exists."""
        if self._is_log(name):
            return self.vault.version(name) is not None
        return self.vault.exists(name)

    def write(self, name, data, replace=True):
        """Store a file (a log is only appended to)."""
        if self._is_log(name):
            raise InputError(f"{name} is append-only.")
        self.vault.write(name, data, replace=replace)

    def remove(self, name):
        """Delete a file."""
        self.vault.remove(name)

    def rename(self, name, new):
        """Set a file aside under a new name."""
        self.vault.rename(name, new)

    def locked(self, name):
        """Return the lock of one file."""
        return self.vault.locked(name)

    def append(self, name, data):
        """Append to a log."""
        self.vault.append(name, data)

    def version(self, name):
        """Return the version of a file or log."""
        if self._is_log(name):
            return self.vault.version(name)
        return ("file", self.vault.read(name)) if self.vault.exists(name) else None
