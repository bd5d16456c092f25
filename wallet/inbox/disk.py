"""Durable writes for the inbox: unique temp name, fsync of file and directory, rename.

A full disk and other write failures become the inbox's own errors (507, 503), so the
sender is told to retry and nothing already on disk is touched.
"""

import errno
import json
import logging
import os
import secrets

from .. import durable
from .errors import StorageFull, StoreFailed

LOG = logging.getLogger("tessera.inbox")
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class Disk:
    """Atomic, durable file writes; `write` is `os.write` (tests pass a faulty one)."""

    def __init__(self, write=os.write):
        """Use `write(fd, data) -> count` for every byte written."""
        self._write = write

    def write_json(self, directory, name, value):
        """Replace `directory/name` with `value` as JSON, atomically and durably."""
        self.write_file(directory, name, json.dumps(value, sort_keys=True).encode())

    def write_file(self, directory, name, data):
        """Create or replace `directory/name` with `data`, atomically and durably."""
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
            durable.sync_directory(directory)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise disk_error(exc) from exc

    def append_line(self, path, line):
        """Append `line` and a newline to `path`, durably."""
        try:
            with open(path, "ab") as handle:
                handle.write(line.encode() + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise disk_error(exc) from exc


def disk_error(exc):
    """Return the inbox error for a failed write (full disk: 507; otherwise 503)."""
    if exc.errno in _FULL:
        LOG.error("inbox: disk full (%s); refusing new envelopes, queue intact", exc.strerror)
        return StorageFull("The wallet's inbox has no disk space left; retry later.")
    LOG.error("inbox: disk write failed (%s)", exc.strerror)
    return StoreFailed(f"The wallet's inbox could not write to disk ({exc.strerror}).")
