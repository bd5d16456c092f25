"""Verified objects are cached, but any change to the stored file is verified again."""

import asyncio
import json
import os

import pytest

from wallet.errors import IntegrityError
from wallet.registry.ids import SCHEMA, object_id
from wallet.registry.plugin import TesseraRegistry
from wallet.registry.signing import sign_record
from wallet.registry.store import DirectoryStore

from .conftest import ISSUER_ID, issuer_key


@pytest.fixture
def stored(tmp_path, schema_content):
    store = DirectoryStore(tmp_path)
    schema_id = object_id(SCHEMA, ISSUER_ID, schema_content)
    store.put_object(sign_record(SCHEMA, schema_id, schema_content, issuer_key()))
    return store, schema_id, store._object_path(schema_id)


class CountingStore(DirectoryStore):
    """Counts full reads, to see the cache at work."""

    reads = 0

    def get_object(self, object_id):
        type(self).reads += 1
        return super().get_object(object_id)


def _run(coroutine):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def test_unchanged_object_is_read_and_verified_once(stored):
    _, schema_id, path = stored
    store = CountingStore(path.parents[3])
    registry = TesseraRegistry(store)
    first = _run(registry.fetch_verified(schema_id, SCHEMA))
    second = _run(registry.fetch_verified(schema_id, SCHEMA))
    assert first == second and CountingStore.reads == 1


@pytest.mark.parametrize("keep_size", [True, False])
def test_edit_after_a_cached_read_is_caught(stored, keep_size):
    store, schema_id, path = stored
    registry = TesseraRegistry(store)
    _run(registry.fetch_verified(schema_id, SCHEMA))
    before = os.stat(path)
    record = json.loads(path.read_text())
    name = record["content"]["name"]
    # Same length when keep_size: only the change times can tell.
    record["content"]["name"] = name[::-1] if keep_size else name + "x"
    path.write_text(json.dumps(record))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # hide the mtime
    with pytest.raises(IntegrityError, match="failed its integrity check"):
        _run(registry.fetch_verified(schema_id, SCHEMA))
