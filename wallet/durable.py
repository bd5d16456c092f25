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

`mount(root, backend)` serves every path under `root` from a backend instead of the disk
(a hosted person's data, sealed in PostgreSQL: `wallet.host.vault`). The modules that
keep the person's files call the functions here and never know which it is; the
history log appends through `append_text`. Unmounted paths behave exactly as before.
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
_mounts = {}  # absolute root (str) -> backend serving the files under it
_mounts_guard = threading.Lock()


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


class CorruptFile(InputError):
    """A data file cannot be read as what it should hold; it was set aside, not replaced."""

    def __init__(self, path, aside, problem, advice):
        """Name the file, where it was set aside, what is wrong and what to do."""
        self.path = Path(path)
        self.aside = Path(aside)
        super().__init__(f"{self.path} {problem}; it was set aside as {self.aside.name}: {advice}")


def mount(root, backend):
    """Serve every file under `root` from `backend` (read, write, lock, append) until unmounted.

    The backend has `read(name)`, `write(name, data, replace)`, `exists(name)`,
    `remove(name)`, `rename(name, new)`, `locked(name)`, `append(name, data)` and
    `version(name)`; names are relative to `root` ('tessera/rules.json').
    """
    with _mounts_guard:
        _mounts[os.path.abspath(root)] = backend


def unmount(root):
    """Stop serving `root` from a backend: its paths are plain paths again."""
    with _mounts_guard:
        _mounts.pop(os.path.abspath(root), None)


def mounted(path):
    """Return (backend, name under its root) serving `path`, or None for a file on disk."""
    if not _mounts:
        return None
    absolute = os.path.abspath(path)
    with _mounts_guard:
        for root, backend in _mounts.items():
            if absolute.startswith(root + os.sep):
                return backend, absolute[len(root) + 1 :]
    return None


def private_dir(path):
    """Create `path` if needed, owner-only; nothing to do under a mount (no directories)."""
    path = Path(path)
    if mounted(path / "x") is None:
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    return path


def exists(path):
    """Return True when the data file `path` exists (on disk or in its backend)."""
    found = mounted(path)
    return found[0].exists(found[1]) if found else Path(path).exists()


def remove(path):
    """Delete the data file `path` if it exists."""
    found = mounted(path)
    if found:
        found[0].remove(found[1])
    else:
        Path(path).unlink(missing_ok=True)


def read_bytes(path):
    """Return the bytes of the data file `path` (`FileNotFoundError` when there is none)."""
    found = mounted(path)
    return found[0].read(found[1]) if found else Path(path).read_bytes()


def append_text(path, text):
    """Append `text` to the append-only file `path` with one write and one sync."""
    found = mounted(path)
    if found:
        found[0].append(found[1], text.encode("utf-8"))
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def cut(path, size, aside):
    """Keep the first `size` bytes of the file `path`; the rest goes to the new file `aside`.

    For a half-written tail (a crash during an append): the tail is written to `aside`
    (never replacing a file) before the file is cut, and both are synced.
    """
    if mounted(path):
        raise InputError(f"{path} is kept in a store that never holds half a write; not cut.")
    with open(path, "rb") as handle:
        handle.seek(size)
        tail = handle.read()
    write_bytes(aside, tail, replace=False)
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)
    return tail


def version(path):
    """Return a value that changes whenever the file `path` changes (None when missing)."""
    found = mounted(path)
    if found:
        return found[0].version(found[1])
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


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
    found = mounted(path)
    if found:
        found[0].write(found[1], bytes(data), replace=replace)
        return path
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
    found = mounted(path)
    if found:
        with found[0].locked(found[1]):
            yield path
        return
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
            raw, seen = _read_seen(path)
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


def _read_seen(path):
    """Return (bytes, what identifies this version) of `path`, on disk or in its backend."""
    found = mounted(path)
    if found:
        return found[0].read(found[1]), None
    with open(path, "rb") as handle:
        return handle.read(), os.fstat(handle.fileno())


def _problem(exc):
    if isinstance(exc, json.JSONDecodeError):
        return f"is not valid JSON (line {exc.lineno}: {exc.msg})"
    return "is not UTF-8 text"


def _set_aside(path, seen, now):
    """Rename the corrupt file read (`seen`: its stat) aside; None if it was replaced since."""
    stamp = now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    found = mounted(path)
    if found:
        backend, name = found
        with backend.locked(name):
            aside = f"{name}.corrupt-{stamp}"
            backend.rename(name, aside)
            return path.with_name(Path(aside).name)
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
