"""Leaving the host and joining it: a hosted wallet as the backup file Tessera already knows.

- `export_backup` writes the file `tessera backup restore` (and the single-person wallet's
  first-run *Restore*) takes: the person's Askar store copied out of PostgreSQL by Askar
  itself into a SQLite store under the same key, and their Tessera files opened from the
  vault, all sealed with the backup passphrase. Nothing readable touches the disk: the
  store copy is encrypted by Askar and deleted once archived.
- `import_backup` signs a person up from such a file (from their own machine or another
  host): the backup is read to its authenticated end first, in memory except the store
  (still Askar-encrypted); the store is copied into the person's new database, their
  files into their vault, and their wallet opens with the wallet passphrase it had.
The service never holds anyone captive.
"""

import asyncio
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
import urllib.parse
from pathlib import Path, PurePosixPath

from aries_askar import AskarError, AskarErrorCode, Store

from ..agent.config import AGENT_CONFIG_DIR
from ..backup.container import SealedReader, SealedWriter
from ..backup.contents import (
    CONFIG_MEMBER,
    KEY_MEMBER,
    KEY_METHOD,
    MANIFEST,
    ROLE,
    ROLE_MEMBER,
    STORE_DIR,
    wallet_name,
)
from ..backup.create import BackupInfo, check_passphrase
from ..backup.errors import DamagedBackup
from ..backup.store_copy import sqlite_uri
from ..errors import InputError
from ..holder.errors import WrongPassphrase
from .db import AGENT_ROLE

MAX_FILES_BYTES = 256 * 1024 * 1024
SKIPPED = (f"{ROLE_MEMBER}/home/", f"{ROLE_MEMBER}/run/", f"{ROLE_MEMBER}/logs/")
TOKENS_MEMBER = f"{ROLE_MEMBER}/tessera/api-tokens.json"


def _run(coroutine):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def pg_uri(config, db_name):
    """Return Askar's URI for a person's store in PostgreSQL (as ACA-Py builds it)."""
    account = urllib.parse.quote(AGENT_ROLE)
    password = urllib.parse.quote(config.agent_db_password)
    return f"postgres://{account}:{password}@{config.pg_host}:{config.pg_port}/{db_name}"


async def _copy(source, target, wallet_key, recreate):
    try:
        store = await Store.open(source, KEY_METHOD, wallet_key)
    except AskarError as exc:
        if exc.code == AskarErrorCode.ENCRYPTION:
            raise WrongPassphrase() from exc
        raise InputError(f"The wallet's store cannot be opened: {exc.message}") from exc
    try:
        copy = await store.copy_to(target, KEY_METHOD, wallet_key, recreate=recreate)
        await copy.close()
    finally:
        await store.close()


async def _provision(uri, wallet_key):
    store = await Store.provision(uri, KEY_METHOD, wallet_key, recreate=False)
    await store.close()


def provision_store(config, db_name, wallet_key):
    """Create the Askar store in a person's new database, keyed by their passphrase.

    ACA-Py provisions only a store whose database is missing; the host creates the
    database itself (the agents' role may not create databases), so it provisions too.
    """
    _run(_provision(pg_uri(config, db_name), wallet_key))


def _info(name, size):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, 0
    return info


def _add(tar, name, data):
    tar.addfile(_info(name, len(data)), io.BytesIO(data))


def export_backup(instance, account, service, out, wallet_key, passphrase, scrypt_n=None):
    """Write the hosted person's wallet to `out` as a Tessera backup; return `BackupInfo`."""
    check_passphrase(passphrase)
    out = Path(out)
    config = instance.config
    created = service.wall_clock().isoformat(timespec="seconds")
    work = Path(tempfile.mkdtemp(prefix=".tmp-export-", dir=config.instance_dir))
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    name = wallet_name()
    manifest = {
        "format": 1,
        "created": created,
        "role": ROLE,
        "wallet_name": name,
        "key_method": KEY_METHOD,
        "wallet_key_included": False,
        "endpoint": f"{instance.public_inbox_url}/didcomm/{account.inbox_id}",
        "endpoint_kind": "inbox",
        "port_offset": 0,
        "hosted": True,
    }
    options = {"scrypt_n": scrypt_n} if scrypt_n else {}
    vault = instance.person(account.id).vault
    count = 0
    try:
        _run(
            _copy(pg_uri(config, account.db_name), sqlite_uri(work / "sqlite.db"), wallet_key, True)
        )
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            sealed = SealedWriter(raw, passphrase, created, **options)
            with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                _add(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
                store = (work / "sqlite.db").read_bytes()
                _add(tar, _store_member(name), store)
                count += 1
                for item in vault.names():
                    data = vault.read_log(item) if item.endswith(".log") else vault.read(item)
                    _add(tar, item, data)
                    count += 1
                _add(tar, CONFIG_MEMBER, (AGENT_CONFIG_DIR / f"{ROLE}.yml").read_bytes())
            sealed.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return BackupInfo(out, out.stat().st_size, created, count, False)


def _store_member(name):
    return f"{ROLE_MEMBER}/{STORE_DIR.as_posix()}/wallet/{name}/sqlite.db"


def read_backup(source, passphrase, work):
    """Read a backup to its end: return (manifest, store file in `work`, {member: bytes})."""
    files = {}
    total = 0
    manifest = None
    store = None
    try:
        raw = open(source, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise DamagedBackup("The backup file is missing.") from None
    with raw:
        reader = SealedReader(raw, passphrase, source)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    path = PurePosixPath(member.name)
                    if member.isdir():
                        continue
                    if not member.isfile() or path.is_absolute() or ".." in path.parts:
                        raise DamagedBackup(
                            f"The backup holds an unexpected entry {member.name!r}."
                        )
                    data = tar.extractfile(member)
                    if manifest is None:
                        if member.name != MANIFEST:
                            raise DamagedBackup("The backup does not start with its manifest.")
                        manifest = json.loads(data.read())
                        continue
                    if member.name == _store_member(manifest.get("wallet_name")):
                        store = Path(work) / "sqlite.db"
                        with open(store, "wb") as handle:
                            shutil.copyfileobj(data, handle)
                    elif member.name == KEY_MEMBER:
                        raise InputError(
                            "This backup's wallet was opened with a generated demo key, not a "
                            "passphrase; it cannot become a hosted wallet."
                        )
                    elif member.name.startswith(f"{ROLE_MEMBER}/") and not member.name.startswith(
                        SKIPPED
                    ):
                        if member.name == f"{ROLE_MEMBER}/inbox-id":
                            continue
                        total += member.size
                        if total > MAX_FILES_BYTES:
                            raise DamagedBackup(
                                "The backup's wallet files are too large to bring in."
                            )
                        files[member.name] = data.read()
        except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DamagedBackup(f"The backup does not hold a readable wallet: {exc}") from exc
        reader.drain()
    if manifest is None or store is None:
        raise DamagedBackup("The backup holds no wallet store; it is not a wallet backup.")
    return manifest, store, files


def import_backup(instance, name, passphrase, source, backup_passphrase):
    """Sign a person up from a backup file; return (Person, session id, notes to show)."""
    from .app import index_tokens, new_account

    config = instance.config
    work = Path(tempfile.mkdtemp(prefix=".tmp-import-", dir=config.instance_dir))
    try:
        _manifest, store, files = read_backup(source, backup_passphrase, work)
        try:
            _run(_check(sqlite_uri(store), passphrase))
        except WrongPassphrase:
            raise InputError(
                "That wallet passphrase does not open the backed-up wallet; type the passphrase "
                "the wallet had when it was backed up."
            ) from None
        marker = f"{ROLE_MEMBER}/tessera/wallet.json"
        files.setdefault(marker, json.dumps({"created": "imported"}).encode())
        tokens, dropped = _new_tokens(instance.db, files.get(TOKENS_MEMBER))
        if tokens is not None:
            files[TOKENS_MEMBER] = json.dumps(tokens, indent=1).encode()

        def fill(vault):
            for member, data in sorted(files.items()):
                if member.endswith(".log"):
                    vault.append(member, data)
                else:
                    vault.write(member, data)
            account = vault.account
            target = instance.accounts.by_id(account)
            _run(_copy(sqlite_uri(store), pg_uri(config, target.db_name), passphrase, False))
            index_tokens(instance.db, account, tokens or [])

        person, sid = new_account(instance, name, passphrase, passphrase, prepare=fill)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    notes = []
    if dropped:
        notes.append(
            f"{dropped} API token(s) of the backup are still in use by another wallet on this "
            "service and were not brought in; create new ones on Settings."
        )
    return person, sid, notes


def _new_tokens(db, data):
    """Return (the backup's API tokens not already routed to another account, how many not).

    A token routes API calls to one account: a token still indexed (the wallet's old
    account on this service, say) stays with it rather than moving to the new one.
    """
    if data is None:
        return None, 0
    try:
        tokens = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DamagedBackup(f"The backup's API tokens are not readable: {exc}") from exc
    if not isinstance(tokens, list) or not all(
        isinstance(t, dict) and isinstance(t.get("hash"), str) for t in tokens
    ):
        raise DamagedBackup("The backup's API tokens are not a list of tokens.")
    hashes = [t["hash"] for t in tokens]
    taken = {r[0] for r in db.rows("SELECT hash FROM api_tokens WHERE hash = ANY(%s)", (hashes,))}
    kept = [t for t in tokens if t["hash"] not in taken]
    return kept, len(tokens) - len(kept)


async def _check(uri, wallet_key):
    try:
        store = await Store.open(uri, KEY_METHOD, wallet_key)
    except AskarError as exc:
        if exc.code == AskarErrorCode.ENCRYPTION:
            raise WrongPassphrase() from exc
        raise InputError(f"The backed-up wallet's store cannot be opened: {exc.message}") from exc
    await store.close()
