"""Export: one encrypted file holding the holder's store, Tessera data and agent config."""

import datetime
import errno
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import durable
from ..agent.config import AGENT_CONFIG_DIR
from ..errors import InputError
from ..secrets import ensure_private_dir
from .container import CHUNK, FORMAT_VERSION, SCRYPT_N, BackupKey, SealedWriter
from .contents import (
    CONFIG_MEMBER,
    KEY_MEMBER,
    KEY_METHOD,
    MANIFEST,
    ROLE,
    ROLE_MEMBER,
    STORE_DIR,
    demo_key,
    endpoint_in_use,
    holder_files,
    key_file,
    store_file,
    wallet_name,
)
from .errors import BackupWriteFailed
from .store_copy import copy_store

MIN_PASSPHRASE = 8
SNAPSHOT_LIMIT = 16 * 1024 * 1024  # files up to this size are read whole, then archived


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class BackupInfo:
    """What `create_backup` wrote."""

    path: Path
    size: int
    created: str
    files: int
    wallet_key_included: bool


def check_passphrase(passphrase):
    """Refuse a backup passphrase that is too short (a derived `BackupKey` passes)."""
    if isinstance(passphrase, BackupKey):
        return
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE:
        raise InputError(f"Choose a backup passphrase of at least {MIN_PASSPHRASE} characters.")


def _open_new(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _info(member, size):
    info = tarfile.TarInfo(member)
    info.size, info.mode, info.mtime = size, 0o600, 0
    return info


def _add_bytes(tar, member, data):
    tar.addfile(_info(member, len(data)), io.BytesIO(data))


def _add_file(tar, path, member):
    """Archive one file as it is now; an append-only `.log` up to its last complete line."""
    try:
        size = path.stat().st_size
        if size > SNAPSHOT_LIMIT:
            with open(path, "rb") as handle:
                tar.addfile(_info(member, size), handle)
            return True
        data = path.read_bytes()
    except FileNotFoundError:
        return False  # removed since it was listed: it no longer belongs to the wallet
    if path.suffix == ".log" and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
    _add_bytes(tar, member, data)
    return True


def _write_failed(exc, out):
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    why = "the disk is full" if full else exc.strerror or str(exc)
    return BackupWriteFailed(
        f"The backup could not be written to {out}: {why}. "
        f"{'Free some space or choose' if full else 'Choose'} another folder and try again; "
        "your wallet and any earlier backup there are unchanged."
    )


def create_backup(
    settings,
    out,
    passphrase,
    *,
    wallet_key=None,
    now=_utcnow,
    scrypt_n=SCRYPT_N,
    chunk=CHUNK,
    opener=_open_new,
):
    """Write an encrypted backup of the holder's wallet to `out`, atomically; return BackupInfo.

    `wallet_key` opens the holder's store: the person's wallet passphrase, or None for
    the generated demo key. `passphrase` is the backup passphrase or a `BackupKey`. The
    agent may be running: the store is copied by Askar.
    """
    check_passphrase(passphrase)
    out = Path(out).expanduser().absolute()
    if not out.parent.is_dir():
        raise InputError(f"The folder {out.parent} does not exist; create it or choose another.")
    if out.is_dir():
        raise InputError(f"{out} is a folder; give a file name such as {out}/wallet.tessera.")
    demo = demo_key(settings)
    wallet_key = wallet_key or demo
    if not wallet_key:
        raise InputError("Type your wallet passphrase: it is needed to copy the wallet's store.")
    include_key = demo is not None and wallet_key == demo
    created = now().isoformat(timespec="seconds")
    ensure_private_dir(settings.home)
    work = Path(tempfile.mkdtemp(prefix=".tmp-backup-", dir=settings.home))
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    name = wallet_name()
    endpoint, kind = endpoint_in_use(settings)
    manifest = {
        "format": FORMAT_VERSION,
        "created": created,
        "role": ROLE,
        "wallet_name": name,
        "key_method": KEY_METHOD,
        "wallet_key_included": include_key,
        "endpoint": endpoint,
        "endpoint_kind": kind,
        "port_offset": settings.port_offset,
    }
    count = 0
    try:
        copy_store(store_file(settings, name), work / "sqlite.db", wallet_key)
        with opener(tmp) as raw:
            sealed = SealedWriter(raw, passphrase, created, scrypt_n=scrypt_n, chunk=chunk)
            with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
                store_member = f"{ROLE_MEMBER}/{STORE_DIR.as_posix()}/wallet/{name}/sqlite.db"
                count += _add_file(tar, work / "sqlite.db", store_member)
                for path, member in holder_files(settings):
                    count += _add_file(tar, path, member)
                count += _add_file(tar, AGENT_CONFIG_DIR / f"{ROLE}.yml", CONFIG_MEMBER)
                if include_key:
                    count += _add_file(tar, key_file(settings), KEY_MEMBER)
            sealed.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, out)
        durable.sync_directory(out.parent)
    except OSError as exc:
        raise _write_failed(exc, out) from exc
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return BackupInfo(out, out.stat().st_size, created, count, include_key)
