"""Tails files on disk, one per hash, written once and atomically."""

import os
import tempfile
import threading
from pathlib import Path

from ..errors import InputError, IntegrityError, NotFound, StorageFull
from .digest import CHUNK, TailsHasher, check_tails_hash, tails_hash_of_file


class TailsStore:
    """A directory of tails files named by their hash; a file never changes once written."""

    def __init__(self, root, max_bytes, quota_files=None, quota_bytes=None):
        """Keep files under `root` (created on first write), each at most `max_bytes`.

        `quota_files` and `quota_bytes` (None: no limit) cap what all files together take.
        """
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.quota_files = quota_files
        self.quota_bytes = quota_bytes
        self._lock = threading.Lock()

    def usage(self):
        """Return (files, bytes) stored now (temporary uploads not counted)."""
        if not self.root.is_dir():
            return 0, 0
        files = [p for p in self.root.iterdir() if p.is_file() and not p.name.startswith(".")]
        return len(files), sum(p.stat().st_size for p in files)

    def _check_quota(self, size):
        files, used = self.usage()
        if self.quota_files is not None and files + 1 > self.quota_files:
            raise StorageFull(
                f"The tails server already keeps {files} files, its limit; "
                "remove unused revocation registries' files or raise the quota"
            )
        if self.quota_bytes is not None and used + size > self.quota_bytes:
            raise StorageFull(
                f"The tails server's {self.quota_bytes} bytes are used up ({used} stored); "
                "remove unused revocation registries' files or raise the quota"
            )

    def path(self, tails_hash: str) -> Path:
        """Return where the file of `tails_hash` lives (checked name)."""
        return self.root / check_tails_hash(tails_hash)

    def get(self, tails_hash: str) -> Path:
        """Return the path of a stored file; NotFound if absent."""
        path = self.path(tails_hash)
        if not path.is_file():
            raise NotFound(f"No tails file {tails_hash}; the issuer has not uploaded it")
        return path

    def put(self, tails_hash: str, stream) -> bool:
        """Store `stream` as the file of `tails_hash`; return False if already stored.

        The bytes are streamed to a temporary file in the same directory, hashed,
        fsynced and hard-linked into place, so no reader ever sees a partial file and
        a different file can never replace a stored one.
        """
        path = self.path(tails_hash)
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            hasher = TailsHasher()
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    hasher.update(chunk)
                    if hasher.size > self.max_bytes:
                        raise InputError(
                            f"The tails file is larger than {self.max_bytes} bytes; "
                            "use a smaller revocation registry size"
                        )
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            got = hasher.hexdigest()
            if got != tails_hash:
                raise InputError(
                    f"The uploaded file hashes to {got}, not {tails_hash}; upload the "
                    "tails file that belongs to this hash"
                )
            with self._lock:  # the quota check and the link are one step for this server
                if path.exists():
                    if tails_hash_of_file(path) != tails_hash:
                        raise IntegrityError(
                            f"The stored tails file {path} is damaged; remove it and upload again"
                        )
                    return False
                self._check_quota(hasher.size)
                os.link(tmp, path)
                _fsync_dir(self.root)
        finally:
            os.unlink(tmp)
        return True


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
