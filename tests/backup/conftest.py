"""A small holder data dir with a real Askar store, history and inbox id (no agent)."""

import asyncio
import contextlib
import hashlib
import os
import shutil
import sqlite3

import pytest
from aries_askar import Store

from wallet.agent.process import port_in_use
from wallet.backup.contents import KEY_METHOD, store_file
from wallet.backup.store_copy import sqlite_uri
from wallet.history import HistoryLog
from wallet.settings import Settings

DEMO_KEY = "demo-generated-wallet-key-0123456789"
PASSPHRASE = "correct horse battery staple"
FAST = {"scrypt_n": 2**10, "chunk": 1024}


def holder_offset():
    """Return a port offset whose holder ports are free (restore refuses a running holder)."""
    offset = int(os.environ.get("TESSERA_TEST_PORT_BASE", "20000")) + 900
    while port_in_use(8030 + offset) or port_in_use(8031 + offset):
        offset += 7
    return offset


async def _provision(path, key, items):
    store = await Store.provision(sqlite_uri(path), KEY_METHOD, key, recreate=True)
    async with store.session() as session:
        for name, value in items.items():
            await session.insert("credential", name, value.encode(), tags={"kind": "test"})
    await store.close()


async def _read(path, key):
    store = await Store.open(sqlite_uri(path), KEY_METHOD, key)
    try:
        async with store.session() as session:
            rows = await session.fetch_all("credential")
            return {row.name: row.value.decode() for row in rows}
    finally:
        await store.close()


def read_store(path, key=DEMO_KEY):
    """Return {name: value} of the 'credential' entries of a store."""
    return asyncio.run(_read(path, key))


def store_rows(path):
    """Return every row of the store's tables, as stored (encrypted), read without the key."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}"))) for t in sorted(tables)}


def tree_digest(root):
    """Return {relative path: sha256} of every file under `root` (to prove nothing changed).

    A SQLite store is compared by its entries: opening it (as a backup does) may
    rewrite SQLite's own header counters without changing anything in it.
    """
    result = {}
    for path in sorted(root.rglob("*")):
        if path.name == "sqlite.db":
            result[str(path.relative_to(root))] = store_rows(path)
        elif path.is_file() and not path.name.startswith("sqlite.db-"):
            result[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def history_entries(settings, passphrase=PASSPHRASE):
    """Return the history entries under the holder's Tessera data dir."""
    log = HistoryLog(
        settings.role_dir("holder") / "tessera" / "history", passphrase, scrypt_n=2**10
    )
    return log.entries()


@pytest.fixture(scope="session")
def template_home(tmp_path_factory):
    """Build one holder data dir; tests copy it."""
    home = tmp_path_factory.mktemp("template")
    settings = Settings(home=home)
    store = store_file(settings)
    store.parent.mkdir(parents=True)
    asyncio.run(_provision(store, DEMO_KEY, {"cred-1": "national id", "cred-2": "income"}))
    secrets = home / "secrets"
    secrets.mkdir(mode=0o700)
    for name, value in (("holder.wallet-key", DEMO_KEY), ("holder.admin-api-key", "admin")):
        (secrets / name).write_text(value + "\n")
        os.chmod(secrets / name, 0o600)
    role = settings.role_dir("holder")
    (role / "inbox-id").write_text("AbCdEfGhIjKlMnOpQrStUv\n")
    (role / "run").mkdir()
    (role / "run" / "args.yml").write_text("wallet-key: secret\n")
    (role / "logs").mkdir()
    (role / "logs" / "agent.log").write_text("log line\n")
    tails = role / "home" / ".indy_client" / "tails"
    tails.mkdir(parents=True)
    (tails / "abc123").write_bytes(os.urandom(3000))
    log = HistoryLog(role / "tessera" / "history", PASSPHRASE, scrypt_n=2**10)
    log.append("sent", "Acme Bank", request_name="Age check", revealed=["nationality"])
    log.append("declined", "Shady Ltd", reason="too much")
    (role / "tessera" / "wallet.json").write_text('{"created": "2025-01-01T00:00:00+00:00"}\n')
    (role / "tessera" / "policy.json").write_text(os.urandom(5000).hex())
    return home


@pytest.fixture
def holder_home(template_home, tmp_path):
    """Settings over a fresh copy of the template holder data dir."""
    home = tmp_path / "home"
    shutil.copytree(template_home, home)
    return Settings(home=home, port_offset=holder_offset())


@pytest.fixture
def empty_home(tmp_path):
    """Settings over an empty data dir (a new machine)."""
    return Settings(home=tmp_path / "new", port_offset=holder_offset())
