"""The durable per-person queue of envelopes: write, fsync, atomic rename, fsync dir.

Layout under the inbox root, one directory per opaque person id:
  <id>/target.json    where to deliver and whether delivery is held (wallet locked)
  <id>/queue/         one file per waiting envelope: <seq>-<sha256>.<wire|enc>
  <id>/delivered.log  sha256 of every envelope delivered, one a line (de-duplication)
  <id>/failures.json  rejected deliveries: attempts, last status, next retry time
A file in queue/ exists only once its bytes are on disk; temp files left by a crash
start with '.tmp-' and are removed when the store opens.
"""

import errno
import json
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .envelope import MAX_ENVELOPE
from .errors import InboxError, QuotaExceeded, StorageFull, StoreFailed, UnknownPerson

LOG = logging.getLogger("tessera.inbox")
PERSON_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_QUEUED = re.compile(r"^(\d{12})-([0-9a-f]{64})\.(wire|enc)$")
_KINDS = {"wire": "application/ssi-agent-wire", "enc": "application/didcomm-envelope-enc"}
_SUFFIX = {v: k for k, v in _KINDS.items()}
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@dataclass(frozen=True)
class Limits:
    """Caps: bytes per envelope, envelopes and bytes queued per person."""

    max_envelope: int = MAX_ENVELOPE
    max_count: int = 1000
    max_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class Queued:
    """One waiting envelope (its name on disk says seq, hash and content type)."""

    seq: int
    digest: str
    content_type: str
    size: int

    @property
    def name(self):
        """Return the queue file name."""
        return f"{self.seq:012d}-{self.digest}.{_SUFFIX[self.content_type]}"


@dataclass(frozen=True)
class Pending:
    """What a locked wallet may show: how many envelopes wait, their bytes, how many failed."""

    count: int
    bytes: int
    failed: int


@dataclass
class _Person:
    root: Path
    target: dict
    queue: dict = field(default_factory=dict)  # name -> Queued, kept in seq order
    delivered: set = field(default_factory=set)
    failures: dict = field(default_factory=dict)
    next_seq: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock)


def check_person_id(person_id):
    """Return `person_id` if it is a well-formed opaque id, else raise `UnknownPerson`."""
    if not isinstance(person_id, str) or not PERSON_ID.match(person_id):
        raise UnknownPerson("No inbox has that id; check the endpoint URL.")
    return person_id


def new_person_id():
    """Return a fresh opaque person id (random, URL-safe)."""
    return secrets.token_urlsafe(18)


def check_target(url):
    """Return `url` if it is an http URL on loopback (the agent's inbound port)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost") or not parts.port:
        raise InboxError(f"Delivery target {url!r} must be http://127.0.0.1:PORT (loopback only).")
    return url


def fsync_dir(path):
    """Make a rename or unlink in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class InboxStore:
    """Durable queues keyed by opaque person id; open with `InboxStore.open(root)`."""

    def __init__(self, root, limits=None, clock=time.time, write=os.write):
        """Describe the store; `open()` reads the disk. Tests pass a faulty `write`."""
        self.root = Path(root)
        self.limits = limits or Limits()
        self.clock = clock
        self._write = write
        self._people = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, root, **kwargs):
        """Create the root if needed, load every person's queue, clean crash leftovers."""
        store = cls(root, **kwargs)
        store.root.mkdir(parents=True, exist_ok=True)
        os.chmod(store.root, 0o700)
        for path in sorted(store.root.iterdir()):
            if path.is_dir() and PERSON_ID.match(path.name) and (path / "target.json").exists():
                store._people[path.name] = store._load(path)
        return store

    # People
    def register(self, person_id, deliver_to):
        """Create (or update) a person's queue delivering to `deliver_to`."""
        check_person_id(person_id)
        check_target(deliver_to)
        with self._lock:
            person = self._people.get(person_id)
            if person is None:
                root = self.root / person_id
                (root / "queue").mkdir(parents=True, exist_ok=True)
                person = _Person(root, {"deliver_to": deliver_to, "held": False})
                self._people[person_id] = person
            with person.lock:
                person.target["deliver_to"] = deliver_to
                self._save_json(person.root, "target.json", person.target)
        return person_id

    def people(self):
        """Return every registered person id."""
        with self._lock:
            return sorted(self._people)

    def target(self, person_id):
        """Return the URL a person's envelopes are delivered to."""
        return self._person(person_id).target["deliver_to"]

    def held(self, person_id):
        """Return True while delivery is held (the wallet is locked)."""
        return bool(self._person(person_id).target.get("held"))

    def set_held(self, person_id, held):
        """Hold or release delivery for a person (durably)."""
        person = self._person(person_id)
        with person.lock:
            if bool(person.target.get("held")) != held:
                person.target["held"] = held
                self._save_json(person.root, "target.json", person.target)

    # Envelopes
    def accept(self, person_id, envelope):
        """Queue an `Envelope` durably; return (Queued, True), or (None, False) for a duplicate."""
        person = self._person(person_id)
        with person.lock:
            if envelope.digest in person.delivered or any(
                q.digest == envelope.digest for q in person.queue.values()
            ):
                return None, False
            count = len(person.queue)
            size = sum(q.size for q in person.queue.values())
            if count + 1 > self.limits.max_count or size + envelope.size > self.limits.max_bytes:
                raise QuotaExceeded(
                    f"This inbox is full ({count} envelopes, {size} bytes waiting); "
                    "the person must unlock the wallet before it takes more. Retry later."
                )
            item = Queued(person.next_seq, envelope.digest, envelope.content_type, envelope.size)
            self._durable_write(person.root / "queue", item.name, envelope.body)
            person.queue[item.name] = item
            person.next_seq += 1
            return item, True

    def pending(self, person_id):
        """Return the waiting envelopes in arrival order."""
        person = self._person(person_id)
        with person.lock:
            return list(person.queue.values())

    def stats(self, person_id):
        """Return a `Pending` count for the lock screen (no content, only numbers)."""
        person = self._person(person_id)
        with person.lock:
            items = list(person.queue.values())
            failed = sum(1 for q in items if q.name in person.failures)
            return Pending(len(items), sum(q.size for q in items), failed)

    def read(self, person_id, item):
        """Return the bytes of a waiting envelope."""
        return (self._person(person_id).root / "queue" / item.name).read_bytes()

    def mark_delivered(self, person_id, item):
        """Record `item` delivered (durably), then drop its file."""
        person = self._person(person_id)
        with person.lock:
            self._append_line(person.root / "delivered.log", item.digest)
            person.delivered.add(item.digest)
            person.queue.pop(item.name, None)
            if person.failures.pop(item.name, None) is not None:
                self._save_failures(person)
            path = person.root / "queue" / item.name
            path.unlink(missing_ok=True)
            fsync_dir(path.parent)

    def failure(self, person_id, item):
        """Return the failure record of `item` (dict) or None."""
        person = self._person(person_id)
        with person.lock:
            return person.failures.get(item.name)

    def record_failure(self, person_id, item, status, reason, backoff):
        """Note a rejected delivery; the next try waits `backoff(attempts)` seconds."""
        person = self._person(person_id)
        with person.lock:
            record = dict(person.failures.get(item.name) or {"attempts": 0})
            record["attempts"] += 1
            record["status"] = status
            record["reason"] = str(reason)[:300]
            record["at"] = self.clock()
            record["next_at"] = record["at"] + backoff(record["attempts"])
            person.failures[item.name] = record
            self._save_failures(person)
            return record

    # Disk
    def _person(self, person_id):
        check_person_id(person_id)
        with self._lock:
            person = self._people.get(person_id)
        if person is None:
            raise UnknownPerson("No inbox has that id; check the endpoint URL.")
        return person

    def _load(self, root):
        target = json.loads((root / "target.json").read_text())
        person = _Person(root, target)
        log = root / "delivered.log"
        if log.exists():
            text = log.read_text()
            person.delivered = {ln for ln in text.split("\n") if len(ln) == 64}
            if text and not text.endswith("\n"):  # a crash cut the last line short
                self._append_line(log, "")
        if (root / "failures.json").exists():
            person.failures = json.loads((root / "failures.json").read_text())
        queue = root / "queue"
        queue.mkdir(exist_ok=True)
        for path in sorted(queue.iterdir()):
            match = _QUEUED.match(path.name)
            if path.name.startswith(".tmp-"):
                LOG.warning("inbox %s: removing unfinished write %s", root.name, path.name)
                path.unlink()
            elif match is None:
                LOG.warning("inbox %s: ignoring unknown file %s", root.name, path.name)
            elif match[2] in person.delivered:
                LOG.info("inbox %s: removing already delivered %s", root.name, path.name)
                path.unlink()
            else:
                item = Queued(int(match[1]), match[2], _KINDS[match[3]], path.stat().st_size)
                person.queue[item.name] = item
                person.next_seq = item.seq + 1
        person.failures = {k: v for k, v in person.failures.items() if k in person.queue}
        fsync_dir(queue)
        return person

    def _save_failures(self, person):
        try:
            self._save_json(person.root, "failures.json", person.failures)
        except InboxError as exc:
            LOG.error("inbox %s: could not save failure records: %s", person.root.name, exc)

    def _save_json(self, directory, name, value):
        self._durable_write(directory, name, json.dumps(value, sort_keys=True).encode())

    def _durable_write(self, directory, name, data):
        tmp = directory / f".tmp-{name}-{secrets.token_hex(4)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[self._write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(tmp, directory / name)
            fsync_dir(directory)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise self._disk_error(exc) from exc

    def _append_line(self, path, line):
        try:
            with open(path, "ab") as handle:
                handle.write(line.encode() + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise self._disk_error(exc) from exc

    @staticmethod
    def _disk_error(exc):
        if exc.errno in _FULL:
            LOG.error("inbox: disk full (%s); refusing new envelopes, queue intact", exc.strerror)
            return StorageFull("The wallet's inbox has no disk space left; retry later.")
        LOG.error("inbox: disk write failed (%s)", exc.strerror)
        return StoreFailed(f"The wallet's inbox could not write to disk ({exc.strerror}).")
