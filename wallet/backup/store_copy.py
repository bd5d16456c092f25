"""A consistent copy of the holder's Askar store, made by Askar while the agent may run."""

import asyncio
import urllib.parse

from aries_askar import AskarError, AskarErrorCode, Store

from .contents import KEY_METHOD
from .errors import BackupError, NoWallet, WrongWalletKey


def sqlite_uri(path):
    """Return Askar's URI for a SQLite store file (as ACA-Py builds it)."""
    return f"sqlite://{urllib.parse.quote(str(path))}"


async def _open(path, wallet_key):
    """Open the store at `path`; `WrongWalletKey` when the key does not open it."""
    try:
        return await Store.open(sqlite_uri(path), KEY_METHOD, wallet_key)
    except AskarError as exc:
        if exc.code == AskarErrorCode.ENCRYPTION:
            raise WrongWalletKey(
                "The wallet passphrase is wrong: it does not open the wallet's store. Type the "
                "passphrase you unlock the wallet with."
            ) from exc
        raise BackupError(f"Askar cannot open the wallet store {path}: {exc}") from exc


async def _copy(source, target, wallet_key):
    store = await _open(source, wallet_key)
    try:
        copy = await store.copy_to(sqlite_uri(target), KEY_METHOD, wallet_key, recreate=True)
        await copy.close()
    except AskarError as exc:
        raise BackupError(
            f"Askar could not copy the wallet store to {target}: {exc}. Check free disk space."
        ) from exc
    finally:
        await store.close()


def _run(coroutine):
    """Run `coroutine` on a loop of its own and close it.

    Not `asyncio.run`: importing ACA-Py applies nest_asyncio, whose `asyncio.run`
    leaves a new, unclosed loop behind in every thread that calls it.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def copy_store(source, target, wallet_key):
    """Copy the store at `source` to `target` (same key and key method) through Askar."""
    if not source.exists():
        raise NoWallet(
            f"There is no wallet to back up: {source} does not exist. Start the wallet once "
            "(or check TESSERA_HOME) first."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    _run(_copy(source, target, wallet_key))


async def _check(path, wallet_key):
    store = await _open(path, wallet_key)
    try:
        return await store.list_profiles()
    finally:
        await store.close()


def check_wallet_key(path, wallet_key):
    """Raise `WrongWalletKey` unless `wallet_key` opens the store at `path` (`NoWallet`: none)."""
    if not path.exists():
        raise NoWallet(f"There is no wallet store at {path}; unlock the wallet once first.")
    open_check(path, wallet_key)


def open_check(path, wallet_key):
    """Return the profiles of the store at `path` opened with `wallet_key` (a health check)."""
    return _run(_check(path, wallet_key))
