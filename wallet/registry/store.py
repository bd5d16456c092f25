"""Where registry records live: an abstract store and a directory of JSON files.

The store keeps signed records; it does not verify signatures (the registry does, on
every read), but it never overwrites: objects are content-addressed and written once,
and revocation list entries form an append-only history with strictly increasing
timestamps. A later HTTP-served or ledger-backed store implements `RegistryStore`.
"""

import contextlib
import fcntl
import os
import re
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path

from .. import durable
from ..errors import IntegrityError, NotFound, RegistryError, WriteConflict
from .ids import REV_REG_DEF, parse_object_id
from .signing import REV_LIST, SignedRecord

_ENTRY_NAME = re.compile(r"^(0|[1-9][0-9]*)\.json\Z")


class RegistryStore(ABC):
    """Storage for signed registry objects and revocation list histories."""

    def __init__(self, now: Callable[[], float] = time.time):
        """Keep the clock that stamps revocation list entries."""
        self.now = now

    @abstractmethod
    def put_object(self, record: SignedRecord) -> None:
        """Store an object; the same content again is a no-op, other content IntegrityError."""

    @abstractmethod
    def get_object(self, object_id: str) -> SignedRecord:
        """Return the stored record for `object_id` (unverified); NotFound if absent."""

    def version(self, object_id: str) -> Hashable | None:
        """Return a cheap token that changes whenever the stored object changes.

        None means the store cannot tell, and every read must be verified again.
        """
        return None

    @abstractmethod
    def latest_rev_list_timestamp(self, rev_reg_id: str) -> int | None:
        """Return the timestamp of the newest revocation list entry, None if none."""

    @abstractmethod
    def append_rev_list(self, record: SignedRecord) -> None:
        """Append an entry stamped later than every other; WriteConflict otherwise."""

    @abstractmethod
    def get_rev_list(self, rev_reg_id: str, timestamp_to: int | None = None) -> SignedRecord:
        """Return the newest entry stamped at or before `timestamp_to` (newest if None)."""

    def next_timestamp(self, rev_reg_id: str) -> int:
        """Return the stamp for a new entry: now, or one past the newest entry if not later."""
        now = int(self.now())
        latest = self.latest_rev_list_timestamp(rev_reg_id)
        return now if latest is None or now > latest else latest + 1


def _create_once(path: Path, data: bytes) -> bool:
    """Write `path` atomically unless it exists; return False if it already existed.

    The bytes go to a temporary file in the same directory, are flushed and fsynced, and
    are then hard-linked into place: unlike os.replace, a link never overwrites, so two
    writers cannot clobber each other and readers never see a partial file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(tmp)
    durable.sync_directory(path.parent)
    return True


class DirectoryStore(RegistryStore):
    """A RegistryStore in a directory that several agent processes may share.

    Layout: `objects/<issuer mb>/<kind>/<digest>.json` and
    `revlists/<issuer mb>/<rev reg digest>/<timestamp>.json`, plus a `.lock` file per
    revocation registry that serialises appends (fcntl.flock).
    """

    def __init__(self, root: str | os.PathLike, now: Callable[[], float] = time.time):
        """Use `root` (created on first write) and the clock `now`."""
        super().__init__(now)
        self.root = Path(root)

    def __repr__(self) -> str:
        """Name the directory."""
        return f"DirectoryStore({str(self.root)!r})"

    def _object_path(self, object_id: str) -> Path:
        """Return the file for an object id."""
        oid = parse_object_id(object_id)
        mb = oid.issuer_id.rsplit(":", 1)[1]
        return self.root / "objects" / mb / oid.kind / f"{oid.digest}.json"

    def _history_dir(self, rev_reg_id: str) -> Path:
        """Return the directory of a revocation registry's list history."""
        oid = parse_object_id(rev_reg_id, REV_REG_DEF)
        mb = oid.issuer_id.rsplit(":", 1)[1]
        return self.root / "revlists" / mb / oid.digest

    def _read(self, path: Path, name: str) -> SignedRecord:
        """Read and parse a record file; NotFound if absent, IntegrityError if unreadable."""
        try:
            data = path.read_bytes()
        except FileNotFoundError as err:
            raise NotFound(f"No registry object {name} in {self.root}") from err
        except OSError as err:
            raise RegistryError(f"Cannot read {path}: {err.strerror}") from err
        return SignedRecord.from_json(data, name)

    def put_object(self, record: SignedRecord) -> None:
        """Store an object once; the same content again is a no-op."""
        path = self._object_path(record.id)
        created = not path.exists() and _create_once(path, record.to_json())
        # Ed25519 signatures are deterministic: an honest rewrite is byte-identical.
        if not created and self._read(path, record.id) != record:
            raise IntegrityError(
                f"{record.id} failed its integrity check: {path} holds another record"
            )

    def get_object(self, object_id: str) -> SignedRecord:
        """Return the stored record for `object_id` (unverified)."""
        return self._read(self._object_path(object_id), object_id)

    def version(self, object_id: str) -> Hashable | None:
        """Return the file's identity and change times (any edit or swap changes them)."""
        try:
            st = os.stat(self._object_path(object_id))
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def _timestamps(self, directory: Path) -> list[int]:
        """Return the sorted entry timestamps in a history directory."""
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            return []
        return sorted(int(m[1]) for name in names if (m := _ENTRY_NAME.match(name)))

    def latest_rev_list_timestamp(self, rev_reg_id: str) -> int | None:
        """Return the newest entry's timestamp, None if there is none."""
        stamps = self._timestamps(self._history_dir(rev_reg_id))
        return stamps[-1] if stamps else None

    @contextlib.contextmanager
    def _locked(self, directory: Path) -> Iterator[None]:
        """Hold the exclusive append lock of a history directory."""
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def append_rev_list(self, record: SignedRecord) -> None:
        """Append an entry; WriteConflict if an entry at or after its timestamp exists."""
        stamp = record.timestamp
        if record.kind != REV_LIST or not isinstance(stamp, int) or stamp < 0:
            raise RegistryError(f"Not a timestamped revocation list entry: {record.id}")
        directory = self._history_dir(record.id)
        with self._locked(directory):
            stamps = self._timestamps(directory)
            if stamps and stamp <= stamps[-1]:
                raise WriteConflict(
                    f"Revocation list of {record.id} already has an entry at {stamps[-1]}, "
                    f"not before {stamp}"
                )
            if not _create_once(directory / f"{stamp}.json", record.to_json()):
                raise WriteConflict(f"Revocation list of {record.id} already has {stamp}")

    def get_rev_list(self, rev_reg_id: str, timestamp_to: int | None = None) -> SignedRecord:
        """Return the newest entry at or before `timestamp_to` (unverified)."""
        directory = self._history_dir(rev_reg_id)
        stamps = self._timestamps(directory)
        if timestamp_to is not None:
            stamps = [s for s in stamps if s <= timestamp_to]
        if not stamps:
            when = "" if timestamp_to is None else f" at or before {timestamp_to}"
            raise NotFound(f"No revocation list for {rev_reg_id}{when} in {self.root}")
        name = f"Revocation list of {rev_reg_id} at {stamps[-1]}"
        record = self._read(directory / f"{stamps[-1]}.json", name)
        if record.timestamp != stamps[-1]:
            raise IntegrityError(f"{name} failed its integrity check: the entry is misfiled")
        return record
