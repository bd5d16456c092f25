"""Tails hashes: base58 of the SHA-256 of a tails file, also its name on disk and in URLs."""

import hashlib
import re

import base58

from ..errors import InputError

_B58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}\Z")
CHUNK = 65536


def check_tails_hash(value: str) -> str:
    """Return `value` if it is a well-formed tails hash; InputError otherwise.

    The hash names a file on disk, so anything but base58 of 32 bytes is refused
    (no `/`, no `..`, no empty name).
    """
    if not isinstance(value, str) or not _B58.match(value):
        raise InputError(f"{value!r} is not a tails hash (base58 of a SHA-256 digest)")
    if len(base58.b58decode(value)) != 32:
        raise InputError(f"{value!r} is not a tails hash: it does not decode to 32 bytes")
    return value


class TailsHasher:
    """Incremental tails hash over streamed chunks."""

    def __init__(self):
        """Start an empty SHA-256."""
        self._sha = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes) -> None:
        """Add a chunk."""
        self._sha.update(chunk)
        self.size += len(chunk)

    def hexdigest(self) -> str:
        """Return the base58 tails hash so far."""
        return base58.b58encode(self._sha.digest()).decode("ascii")


def tails_hash_of_file(path) -> str:
    """Return the tails hash of a file on disk."""
    hasher = TailsHasher()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
