"""Tessera's own files, written so that nothing is torn or lost: the one copy of the recipe.

- `write_bytes`, `write_text`, `write_json`: atomic and durable. The data goes to a
  temporary file with a unique name in the same directory, is flushed and fsynced,
  given its mode, renamed over the file (or linked into place where an existing file
  must never be replaced), and the directory is fsynced so the rename itself survives
  a crash. A reader sees the old file or the new one, never half of one.
- `locked(path)`: the lock of one data file, held across the threads of this process
  (a lock per file) and across processes (`fcntl.flock` on a lock file beside it).
- `update_json(path, change)`: read-modify-write under that lock, so that concurrent
  writers never lose each other's updates.
- `read_json(path)`: a file that is not valid JSON is reported (`CorruptFile`, saying
  what to do) and set aside under a timestamped name, never silently replaced or read
  as empty.

Temporary and lock files are named `.tmp-<name>...`: backups skip them.
"""

import contextlib
import datetime
import fcntl
import json
import os
import secrets
import threading
from pathlib import Path

from .errors import InputError

TEMP_PREFIX = ".tmp-"
_MISSING = object()
_thread_locks = {}
_thread_locks_guard = threading.Lock()
_held = threading.local()  # the data files this thread holds the lock of


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


class CorruptFile(InputError):
    """A data file cannot be read as what it should hold; it was set aside, not replaced."""

    def __init__(self, path, aside, problem, advice):
        """Name the file, where it was set aside, what is wrong and what to do."""
        self.path = Path(path)
        self.aside = Path(aside)
        super().__init__(f"{self.path} {problem}; it was set aside as {self.aside.name}: {advice}")


def sync_directory(directory):
    """Flush a directory's entries (a rename or a new name in it) to disk."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path, data, *, mode=0o600, replace=True):
    """Write `data` to `path` atomically and durably; return the path.

    `mode` is given to the file before it appears under its name. With
    `replace=False` an existing file is never replaced: `FileExistsError` is raised
    and the other writer's file stays.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    sync_directory(path.parent)
    return path


def write_text(path, text, *, mode=0o600, replace=True):
    """Write `text` (UTF-8) to `path` atomically and durably; return the path."""
    return write_bytes(path, text.encode("utf-8"), mode=mode, replace=replace)


def write_json(path, doc, *, mode=0o600, replace=True, **dump):
    """Write `doc` as JSON (`dump` goes to `json.dumps`) atomically and durably."""
    return write_text(path, json.dumps(doc, **dump) + "\n", mode=mode, replace=replace)


def lock_path(path):
    """Return the lock file of a data file (beside it; backups skip it)."""
    path = Path(path)
    return path.with_name(f"{TEMP_PREFIX}{path.name}.lock")


def _thread_lock(path):
    key = os.path.abspath(path)
    with _thread_locks_guard:
        return _thread_locks.setdefault(key, threading.Lock())


@contextlib.contextmanager
def locked(path):
    """Hold the lock of the data file `path`: other threads and processes wait for it.

    A thread that already holds it (a read-modify-write setting a corrupt file aside)
    goes on without waiting for itself.
    """
    path = Path(path)
    key = os.path.abspath(path)
    held = _held.__dict__.setdefault("paths", set())
    if key in held:
        yield path
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock(path):
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            held.add(key)
            try:
                yield path
            finally:
                held.discard(key)
        finally:
            os.close(fd)  # closing the descriptor releases the flock


def read_json(path, *, missing=_MISSING, advice="fix it and move it back, or delete it.", now=None):
    """Return the JSON document in `path`; `missing` when there is none (if given).

    A file that is not valid JSON (or not UTF-8) is set aside as
    `<name>.corrupt-<UTC time>` and `CorruptFile` is raised with `advice`; the clock
    `now()` (aware datetime) stamps the name.
    """
    path = Path(path)
    while True:
        try:
            with open(path, "rb") as handle:
                seen = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            if missing is _MISSING:
                raise
            return missing
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problem = _problem(exc)
        aside = _set_aside(path, seen, now or _utcnow)
        if aside is not None:
            raise CorruptFile(path, aside, problem, advice)
        # Another writer replaced the file since it was read: read the new one.


def _problem(exc):
    if isinstance(exc, json.JSONDecodeError):
        return f"is not valid JSON (line {exc.lineno}: {exc.msg})"
    return "is not UTF-8 text"


def _set_aside(path, seen, now):
    """Rename the corrupt file read (`seen`: its stat) aside; None if it was replaced since."""
    stamp = now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    with locked(path):
        try:
            current = os.stat(path)
        except FileNotFoundError:
            return None
        if (current.st_dev, current.st_ino) != (seen.st_dev, seen.st_ino):
            return None
        for n in range(1000):
            aside = path.with_name(f"{path.name}.corrupt-{stamp}" + (f"-{n}" if n else ""))
            try:
                os.link(path, aside)
            except FileExistsError:
                continue
            os.unlink(path)
            sync_directory(path.parent)
            return aside
    raise FileExistsError(f"Cannot set {path} aside: too many corrupt copies beside it.")


def update_json(path, change, *, missing, mode=0o600, advice=None, now=None, **dump):
    """Read-modify-write `path` under its lock: write `change(document)`; return it.

    `missing` is the document when there is no file yet. If `change` raises, nothing
    is written. A corrupt file is set aside and reported (`CorruptFile`), not replaced.
    """
    extra = {"advice": advice} if advice else {}
    with locked(path):
        doc = read_json(path, missing=missing, now=now, **extra)
        changed = change(doc)
        write_json(path, changed, mode=mode, **dump)
        return changed
