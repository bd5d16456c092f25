"""Tails files on disk, one per hash, written once and atomically."""

import os
import tempfile
from pathlib import Path

from ..errors import InputError, IntegrityError, NotFound
from .digest import CHUNK, TailsHasher, check_tails_hash, tails_hash_of_file


class TailsStore:
    """A directory of tails files named by their hash; a file never changes once written."""

    def __init__(self, root, max_bytes):
        """Keep files under `root` (created on first write), each at most `max_bytes`."""
        self.root = Path(root)
        self.max_bytes = max_bytes

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
            try:
                os.link(tmp, path)
            except FileExistsError:
                if tails_hash_of_file(path) != tails_hash:
                    raise IntegrityError(
                        f"The stored tails file {path} is damaged; remove it and upload again"
                    ) from None
                return False
        finally:
            os.unlink(tmp)
        return True
