"""Durable, atomic file writes for the issuer's publication directory and the caches.

A write goes to a unique temporary file in the same directory, is flushed and fsynced,
renamed over the target and the directory fsynced, so a reader sees the old file or the
new one, never a partial one, and a crash loses at most the write in progress.
(To be replaced by Tessera's shared durable-write helper once it exists.)
"""

import os
import tempfile
from pathlib import Path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durable(path, data: bytes, mode: int = 0o644) -> Path:
    """Replace `path` with `data` atomically and durably; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return path
