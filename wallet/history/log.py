"""The disclosure history: one AES-GCM sealed JSON line per presentation sent or declined.

The key is derived from the passphrase with scrypt and a random salt kept next to the
log; the passphrase itself is never stored. Each line's associated data binds its
position and the previous line, so removing or reordering lines is detected on read.
Attribute values are never written: only names, predicates and credential ids.

The head (line count, hash of the last line) is anchored elsewhere (`anchor.py`), so
that lines dropped from the end are reported as tampering too. A half-written last
line (the wallet stopped during an append) is set aside as `history.log.torn-<time>`,
said in `notices` and the log, and the history goes on from the last whole line; a
last line missing only its line end gets it back and is checked like any other.
An entry of an act that cannot be undone (a presentation sent) is held in `pending`
before the act and written after it, so a stop in between loses nothing.
Appends hold the log's lock across threads and processes.
"""

import base64
import contextlib
import datetime
import hashlib
import json
import logging
import secrets
import threading
from dataclasses import asdict, dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .. import durable
from ..errors import InputError, WalletError
from .anchor import ANCHOR_FILE, AnchorError, FileAnchor, Head
from .pending import PendingEntries

SCRYPT_N = 2**15
SALT_FILE = "history.salt"
LOG_FILE = "history.log"
BREACH = "breach-reported"  # the person said a firm was breached (the exposure map)
ACTIONS = ("sent", "declined", BREACH)
LOG = logging.getLogger(__name__)


class HistoryError(WalletError):
    """The history cannot be read: wrong key, or a line was changed or removed."""


def derive_key(passphrase, salt, n=SCRYPT_N):
    """Derive the 32-byte history key from the passphrase with scrypt."""
    return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8"))


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class Entry:
    """One presentation sent or declined; attribute values are never part of it."""

    when: str
    action: str
    to: str
    request_name: str = ""
    revealed: list = field(default_factory=list)
    predicates: list = field(default_factory=list)
    self_attested: list = field(default_factory=list)
    credentials: list = field(default_factory=list)
    reason: str = ""
    rule: str = ""  # which rule decided: "person", or a policy rule such as "shape:age-checks"
    id: str = ""  # random, unique per entry (receipts link to it); older entries have none
    conditions: list = field(default_factory=list)  # attributes a hidden condition tested

    def __post_init__(self):
        """Refuse unknown actions."""
        if self.action not in ACTIONS:
            raise InputError(f"History action must be one of {', '.join(ACTIONS)}.")


def _whole_line(data):
    """Return True when `data` is a whole sealed line (nonce and ciphertext), unchecked."""
    try:
        sealed = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(sealed, dict) and set(sealed) == {"n", "c"}


class HistoryLog:
    """An append-only sealed log in `directory`, opened with the person's passphrase."""

    def __init__(self, directory, passphrase, clock=_utcnow, scrypt_n=SCRYPT_N, anchor=None):
        """Derive the key (creating the salt on first use); nothing else is read yet.

        `anchor` keeps the head (`StoreAnchor`: the wallet's store); by default a
        `FileAnchor` beside the log.
        """
        self.directory = durable.private_dir(directory)
        self.clock = clock
        key = derive_key(passphrase, self._salt(), n=scrypt_n)
        self._aead = AESGCM(key)
        self._subkey_root = key  # for `subkey` only: other sealed files of the wallet
        self.anchor = anchor or FileAnchor(self.directory / ANCHOR_FILE, self._aead)
        self.notices = []  # what the person should be told (a torn last line set aside)
        self.pending = PendingEntries(self.directory, self._aead, self)  # acts under way
        # (file version, entries, line count, hash of the last line) as last verified:
        # while the file is unchanged, reads and appends need not open every line again.
        self._verified = None
        self._append_lock = threading.Lock()  # a web request and a rule may append at once

    def subkey(self, purpose):
        """Return a 32-byte key for another sealed file of the wallet (HKDF of this key).

        One scrypt per unlock: the credential index is sealed under
        `subkey(b"credential index")`, as strong as the history and never equal to its key.
        """
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            self._subkey_root
        )

    @property
    def path(self):
        """Return the log file's path."""
        return self.directory / LOG_FILE

    def _salt(self):
        path = self.directory / SALT_FILE
        if not durable.exists(path):
            with contextlib.suppress(FileExistsError):  # another process made it first
                durable.write_bytes(path, secrets.token_bytes(16), replace=False)
        return durable.read_bytes(path)

    @staticmethod
    def _aad(index, previous):
        return f"tessera-history:{index}:".encode() + previous

    def take_notices(self):
        """Return what the person should be told (once), and forget it."""
        notices, self.notices = self.notices, []
        return notices

    def close(self):
        """Release the anchor (on lock)."""
        self.anchor.close()

    def _lines(self):
        try:
            raw = durable.read_bytes(self.path)
        except FileNotFoundError:
            return []
        if raw and not raw.endswith(b"\n") and not durable.mounted(self.path):
            raw = self._set_torn_aside()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HistoryError(
                f"{self.path} is not the history's text: it was changed. Keep a copy and "
                "restore it from a backup."
            ) from exc
        return [line for line in text.splitlines() if line.strip()]

    def _set_torn_aside(self):
        """Cut a half-written last line off (under the lock); return the whole lines' bytes."""
        with durable.locked(self.path):
            raw = durable.read_bytes(self.path)
            if raw.endswith(b"\n") or not raw:
                return raw  # an append finished it meanwhile
            keep = raw.rfind(b"\n") + 1
            if _whole_line(raw[keep:]):  # only its line end is missing: opened as any line
                durable.append_text(self.path, "\n")
                LOG.warning("The last line of %s lacked its line end; it was added.", self.path)
                return raw + b"\n"
            stamp = self.clock().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{LOG_FILE}.torn-{stamp}-{secrets.token_hex(3)}")
            durable.cut(self.path, keep, aside)
        notice = (
            f"The last line of your history was half-written (the wallet stopped while "
            f"writing it): it was set aside as {aside.name} and the history goes on."
        )
        self.notices.append(notice)
        LOG.warning("%s", notice)
        return raw[:keep]

    def _version(self):
        return durable.version(self.path)

    def entries(self):
        """Return every entry, oldest first; raise `HistoryError` if the log was altered.

        Every line is opened and checked against its place in the chain, once per
        version of the file: an unchanged file is answered from what was verified.
        """
        version = self._version()
        if self._verified is not None and self._verified[0] == version:
            return list(self._verified[1])
        result = []
        previous = b""
        lines = self._lines()
        digests = []
        for index, line in enumerate(lines):
            try:
                sealed = json.loads(line)
                nonce = base64.b64decode(sealed["n"])
                data = base64.b64decode(sealed["c"])
                plain = self._aead.decrypt(nonce, data, self._aad(index, previous))
            except (InvalidTag, ValueError, KeyError, TypeError) as exc:
                raise HistoryError(
                    f"History line {index + 1} cannot be opened: the passphrase is wrong or "
                    f"{self.path} was changed. Keep a copy and restore it from a backup."
                ) from exc
            result.append(Entry(**json.loads(plain)))
            previous = hashlib.sha256(line.encode()).digest()
            digests.append(previous)
        anchored = self._anchored()
        self._check_head(anchored, digests)
        if lines and (anchored is None or anchored.count < len(lines)):
            self._anchor(Head(len(lines), previous))  # catch up (a stop after an append)
        self._verified = (version, result, len(lines), previous)
        return list(result)

    def _anchored(self):
        try:
            return self.anchor.load()
        except (AnchorError, durable.CorruptFile) as exc:
            raise HistoryError(
                f"The anchor of your history cannot be read ({exc}); the history cannot be "
                "trusted to be whole. Keep a copy and restore it from a backup."
            ) from exc

    def _check_head(self, anchored, digests):
        """Refuse a history shorter than its anchor, or one that left the anchored line."""
        if anchored is None or anchored.count == 0:
            return
        count = len(digests)
        if count < anchored.count:
            missing = anchored.count - count
            raise HistoryError(
                f"Your history ends {missing} line(s) short of where it reached "
                f"({anchored.count} lines): lines were removed from the end of {self.path}. "
                "Keep a copy and restore it from a backup."
            )
        if digests[anchored.count - 1] != anchored.digest:
            raise HistoryError(
                f"Line {anchored.count} of your history is not the one it had: {self.path} "
                "was replaced. Keep a copy and restore it from a backup."
            )

    def _anchor(self, head):
        """Move the anchor forward to `head`; a failure is logged (the lines are kept)."""
        try:
            with durable.locked(self.path):
                current = self.anchor.load()
                if current is None or current.count < head.count:
                    self.anchor.save(head)
        except (AnchorError, durable.CorruptFile, OSError) as exc:
            LOG.warning("The history's head could not be anchored: %s", exc)

    def append(self, action, to, **details):
        """Seal and append an entry stamped with the clock's time; return it."""
        return self.extend([(action, to, details)])[0]

    def extend(self, items):
        """Seal and append (action, to, details) entries with one write and one sync.

        Every entry is stamped with the clock's time; returns the entries.
        """
        when = self.clock().isoformat(timespec="seconds")
        return self.add(
            [
                Entry(when=when, action=action, to=to, id=secrets.token_hex(8), **details)
                for action, to, details in items
            ]
        )

    def entry(self, action, to, **details):
        """Return a new entry stamped with the clock's time, not written yet (see `add`)."""
        when = self.clock().isoformat(timespec="seconds")
        return Entry(when=when, action=action, to=to, id=secrets.token_hex(8), **details)

    def add(self, made):
        """Append entries made by `entry()` with one write and one sync; return them.

        An entry whose id the log holds already is not written again.
        """
        with self._append_lock, durable.locked(self.path):
            self.entries()  # refuses to extend a log that was altered (cheap when unchanged)
            _, verified, count, previous = self._verified
            known = {e.id for e in verified if e.id}
            written = [e for e in made if not e.id or e.id not in known]
            if not written:
                return made
            lines = []
            for entry in written:
                lines.append(self._seal(entry, count + len(lines), previous))
                previous = hashlib.sha256(lines[-1].encode()).digest()
            durable.append_text(self.path, "".join(line + "\n" for line in lines))
            self._verified = (self._version(), [*verified, *written], count + len(lines), previous)
            self._anchor(Head(count + len(lines), previous))
        return made

    def _seal(self, entry, index, previous):
        nonce = secrets.token_bytes(12)
        plain = json.dumps(asdict(entry), sort_keys=True).encode()
        sealed = self._aead.encrypt(nonce, plain, self._aad(index, previous))
        return json.dumps(
            {"n": base64.b64encode(nonce).decode(), "c": base64.b64encode(sealed).decode()}
        )
