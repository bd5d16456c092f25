"""What this agent has verified: resources by digest, and the newest status list seen.

Resources are immutable under their id (the id ends with the digest of the content), so
a verified one is kept, in memory (bounded) and, when a directory is given, on disk in the
agent's own home so a restart stays warm. A resource read back from disk is checked
against its digest again. The newest status-list entry seen per revocation registry is
kept on disk too (the rollback watermark), written durably.
"""

import collections
import hashlib
import json
import logging
from pathlib import Path

from .attested import check_resource
from .errors import Tampered
from .files import write_durable
from .ids import ResourceId
from .statuslist import Entry

LOGGER = logging.getLogger(__name__)
DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024


class VerifiedCache:
    """Verified attested resources by id, in memory (LRU by size) and optionally on disk."""

    def __init__(self, directory=None, max_bytes: int = DEFAULT_MEMORY_BYTES):
        """Keep up to `max_bytes` of JSON in memory; persist under `directory` if given."""
        self.directory = Path(directory) if directory else None
        self.max_bytes = max_bytes
        self._items = collections.OrderedDict()
        self._size = 0

    def _file(self, rid: ResourceId) -> Path:
        return self.directory / "resources" / f"{rid.digest}.json"

    def get(self, rid: ResourceId) -> dict | None:
        """Return the verified resource document of `rid`, or None."""
        found = self._items.get(rid.id)
        if found is not None:
            self._items.move_to_end(rid.id)
            return found[0]
        if self.directory is None:
            return None
        try:
            doc = json.loads(self._file(rid).read_bytes())
            check_resource(doc, rid)
        except FileNotFoundError:
            return None
        except (ValueError, Tampered) as err:
            LOGGER.warning("Ignoring a damaged cache file for %s: %s", rid.id, err)
            return None
        self._remember(rid, doc)
        return doc

    def put(self, rid: ResourceId, doc: dict) -> None:
        """Keep a verified resource document."""
        self._remember(rid, doc)
        if self.directory is not None:
            write_durable(self._file(rid), json.dumps(doc, sort_keys=True).encode("utf-8"))

    def _remember(self, rid: ResourceId, doc: dict) -> None:
        size = len(json.dumps(doc))
        old = self._items.pop(rid.id, None)
        if old is not None:
            self._size -= old[1]
        self._items[rid.id] = (doc, size)
        self._size += size
        while self._size > self.max_bytes and len(self._items) > 1:
            _id, (_doc, dropped) = self._items.popitem(last=False)
            self._size -= dropped


class Watermarks:
    """The newest status-list entry seen per revocation registry; persisted if given a file."""

    def __init__(self, path=None):
        """Load from `path` (a JSON file) when given."""
        self.path = Path(path) if path else None
        self._seen = {}
        if self.path is not None:
            try:
                raw = json.loads(self.path.read_text())
                self._seen = {k: Entry(int(v["timestamp"]), v["id"]) for k, v in raw.items()}
            except FileNotFoundError:
                pass
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                damaged = self.path.with_suffix(".damaged")
                self.path.replace(damaged)
                LOGGER.warning("Set aside the damaged watermark file %s: %s", damaged, err)

    def seen(self, rev_reg_id: str) -> Entry | None:
        """Return the newest entry seen for a registry, or None."""
        return self._seen.get(rev_reg_id)

    def advance(self, rev_reg_id: str, newest: Entry) -> None:
        """Record `newest` if it is newer than what was seen."""
        seen = self._seen.get(rev_reg_id)
        if seen is not None and seen.timestamp >= newest.timestamp:
            return
        self._seen[rev_reg_id] = newest
        if self.path is not None:
            doc = {k: {"timestamp": v.timestamp, "id": v.id} for k, v in self._seen.items()}
            write_durable(self.path, json.dumps(doc, sort_keys=True, indent=1).encode("utf-8"))


def cache_key(text: str) -> str:
    """Return a short file-safe key for an id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
