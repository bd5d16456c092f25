"""Helpers for the wallet's backup pages: a real Askar store for the fake agent, clocks, trees."""

import asyncio
import datetime
import hashlib
import os

from aries_askar import Store

from wallet.agent.process import port_in_use
from wallet.backup.contents import KEY_METHOD, store_file
from wallet.backup.store_copy import sqlite_uri

FAST = {"scrypt_n": 2**10, "chunk": 1024}
BACKUP_PASSPHRASE = "backup passphrase, not the wallet's"


class WallClock:
    """An aware UTC wall clock the test moves by hand."""

    def __init__(self, start=datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)):
        """Start at `start`."""
        self.now = start

    def __call__(self):
        """Return the time."""
        return self.now

    def advance(self, **delta):
        """Move the clock forward by a timedelta's keyword arguments."""
        self.now += datetime.timedelta(**delta)


def holder_offset():
    """Return a port offset with free holder ports (restore refuses while they are in use)."""
    offset = int(os.environ.get("TESSERA_TEST_PORT_BASE", "20000")) + 950
    while port_in_use(8030 + offset) or port_in_use(8031 + offset):
        offset += 11
    return offset


async def _provision(path, key, items):
    store = await Store.provision(sqlite_uri(path), KEY_METHOD, key, recreate=True)
    async with store.session() as session:
        for name, value in items.items():
            await session.insert("credential", name, value.encode())
    await store.close()


async def _read(path, key):
    store = await Store.open(sqlite_uri(path), KEY_METHOD, key)
    try:
        async with store.session() as session:
            return {row.name: row.value.decode() for row in await session.fetch_all("credential")}
    finally:
        await store.close()


def _run(coroutine):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def provision_store(settings, key, items):
    """Create the holder's Askar store (what the real agent would) holding `items`."""
    path = store_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(_provision(path, key, items))


def read_store(settings, key):
    """Return {name: value} of the 'credential' entries of the holder's store."""
    return _run(_read(store_file(settings), key))


def tree_digest(root):
    """Return {relative path: sha256} of every file under `root` (to prove nothing changed)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def files_containing(root, needle):
    """Return the files under `root` whose bytes contain `needle` (str)."""
    raw = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and raw in p.read_bytes()]
