"""The durable per-person queue of envelopes: write, fsync, atomic rename, fsync dir.

Layout under the inbox root, one directory per opaque person id:
  <id>/target.json    where to deliver and whether delivery is held (wallet locked)
  <id>/queue/         one file per waiting envelope: <seq>-<sha256>.<wire|enc>
  <id>/delivered.log  sha256 of every envelope delivered, one a line (de-duplication)
  <id>/failures.json  rejected deliveries: attempts, last status, next retry time
  <id>/keys.json      the recipient keys the person's agent registered (envelopes for
                      other keys are refused)
A file in queue/ exists only once its bytes are on disk; temp files left by a crash
start with '.tmp-' and are removed when the store opens.
"""

import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import durable
from .disk import Disk
from .envelope import MAX_ENVELOPE, parse
from .errors import (
    InboxError,
    NotAnEnvelope,
    QuotaExceeded,
    UnknownPerson,
    UnknownRecipient,
)
from .ids import PERSON_ID, check_kids, check_person_id, check_target, new_person_id
from .pending import Pending

__all__ = ["InboxStore", "Limits", "Pending", "Queued", "check_person_id", "new_person_id"]
LOG = logging.getLogger("tessera.inbox")
_QUEUED = re.compile(r"^(\d{12})-([0-9a-f]{64})\.(wire|enc)$")
_KINDS = {"wire": "application/ssi-agent-wire", "enc": "application/didcomm-envelope-enc"}
_SUFFIX = {v: k for k, v in _KINDS.items()}


@dataclass(frozen=True)
class Limits:
    """Caps: bytes per envelope; envelopes and bytes queued per person and per recipient key.

    Each connection has its own recipient key, so the per-key caps bound what one firm
    (or whoever holds one invitation) can queue: a flood fills its own share, not the
    person's.
    """

    max_envelope: int = MAX_ENVELOPE
    max_count: int = 1000
    max_bytes: int = 64 * 1024 * 1024
    per_key_count: int = 200
    per_key_bytes: int = 16 * 1024 * 1024
    max_keys: int = 10_000


@dataclass(frozen=True)
class Queued:
    """One waiting envelope (its name on disk says seq, hash and content type)."""

    seq: int
    digest: str
    content_type: str
    size: int
    kid: str = ""  # the registered recipient key it is counted against

    @property
    def name(self):
        """Return the queue file name."""
        return f"{self.seq:012d}-{self.digest}.{_SUFFIX[self.content_type]}"


@dataclass
class _Person:
    root: Path
    target: dict
    queue: dict = field(default_factory=dict)  # name -> Queued, kept in seq order
    delivered: set = field(default_factory=set)
    failures: dict = field(default_factory=dict)
    keys: set = field(default_factory=set)
    next_seq: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock)


class InboxStore:
    """Durable queues keyed by opaque person id; open with `InboxStore.open(root)`."""

    def __init__(self, root, limits=None, clock=time.time, write=os.write):
        """Describe the store; `open()` reads the disk. Tests pass a faulty `write`."""
        self.root = Path(root)
        self.limits = limits or Limits()
        self.clock = clock
        self.disk = Disk(write)
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
                self.disk.write_json(person.root, "target.json", person.target)
        return person_id

    def register_keys(self, person_id, kids):
        """Add recipient keys the person's agent made (durably); return (added, total)."""
        kids = check_kids(kids)
        person = self._person(person_id)
        with person.lock:
            new = set(kids) - person.keys
            if not new:
                return 0, len(person.keys)
            if len(person.keys) + len(new) > self.limits.max_keys:
                raise QuotaExceeded(
                    f"This inbox holds at most {self.limits.max_keys} recipient keys per person."
                )
            keys = person.keys | new
            self.disk.write_json(person.root, "keys.json", sorted(keys))
            person.keys = keys
            return len(new), len(keys)

    def keys(self, person_id):
        """Return the recipient keys registered for a person."""
        person = self._person(person_id)
        with person.lock:
            return set(person.keys)

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
                self.disk.write_json(person.root, "target.json", person.target)

    # Envelopes
    def accept(self, person_id, envelope):
        """Queue an `Envelope` durably; return (Queued, True), or (None, False) for a duplicate.

        Only envelopes for a registered recipient key are taken (`UnknownRecipient`).
        """
        person = self._person(person_id)
        with person.lock:
            kid = next((k for k in envelope.kids if k in person.keys), None)
            if kid is None:
                raise UnknownRecipient(
                    "This inbox holds no recipient key the envelope is addressed to; "
                    "check the connection's endpoint and keys."
                )
            if envelope.digest in person.delivered or any(
                q.digest == envelope.digest for q in person.queue.values()
            ):
                return None, False
            self._check_quota(person, kid, envelope.size)
            item = Queued(
                person.next_seq, envelope.digest, envelope.content_type, envelope.size, kid
            )
            self.disk.write_file(person.root / "queue", item.name, envelope.body)
            person.queue[item.name] = item
            person.next_seq += 1
            return item, True

    def _check_quota(self, person, kid, size):
        limits = self.limits
        items = list(person.queue.values())
        mine = [q for q in items if q.kid == kid]
        count, total = len(items), sum(q.size for q in items)
        if count + 1 > limits.max_count or total + size > limits.max_bytes:
            raise QuotaExceeded(
                f"This inbox is full ({count} envelopes, {total} bytes waiting); "
                "the person must unlock the wallet before it takes more. Retry later."
            )
        if len(mine) + 1 > limits.per_key_count or sum(q.size for q in mine) + size > (
            limits.per_key_bytes
        ):
            raise QuotaExceeded(
                f"This connection's share of the inbox is full ({len(mine)} envelopes for "
                "its key wait); the person must unlock the wallet before it takes more. "
                "Retry later."
            )

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
            self.disk.append_line(person.root / "delivered.log", item.digest)
            person.delivered.add(item.digest)
            person.queue.pop(item.name, None)
            if person.failures.pop(item.name, None) is not None:
                self._save_failures(person)
            path = person.root / "queue" / item.name
            path.unlink(missing_ok=True)
            durable.sync_directory(path.parent)

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
        person.keys = self._load_keys(root)
        log = root / "delivered.log"
        if log.exists():
            text = log.read_text()
            person.delivered = {ln for ln in text.split("\n") if len(ln) == 64}
            if text and not text.endswith("\n"):  # a crash cut the last line short
                self.disk.append_line(log, "")
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
                kind = _KINDS[match[3]]
                kid = self._charged_kid(person, path, kind)
                item = Queued(int(match[1]), match[2], kind, path.stat().st_size, kid)
                person.queue[item.name] = item
                person.next_seq = item.seq + 1
        person.failures = {k: v for k, v in person.failures.items() if k in person.queue}
        durable.sync_directory(queue)
        return person

    @staticmethod
    def _charged_kid(person, path, kind):
        """Return the key a queued envelope counts against (read again from its header)."""
        try:
            kids = parse(path.read_bytes(), kind, limit=path.stat().st_size).kids
        except NotAnEnvelope:
            return ""
        return next((k for k in kids if k in person.keys), kids[0])

    def _load_keys(self, root):
        path = root / "keys.json"
        if not path.exists():
            return set()
        try:
            return set(check_kids(json.loads(path.read_text())))
        except (ValueError, InboxError) as exc:
            aside = path.with_name(f"keys.json.corrupt-{int(self.clock())}")
            os.rename(path, aside)
            LOG.error(
                "inbox %s: keys.json is unreadable (%s); kept as %s. Envelopes are refused "
                "until the wallet's agent registers its keys again (at its next start).",
                root.name,
                exc,
                aside.name,
            )
            return set()

    def _save_failures(self, person):
        try:
            self.disk.write_json(person.root, "failures.json", person.failures)
        except InboxError as exc:
            LOG.error("inbox %s: could not save failure records: %s", person.root.name, exc)
