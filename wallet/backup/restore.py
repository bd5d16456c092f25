"""Restore: check the whole file into a staging folder, then swap it in for the holder.

Nothing of the existing wallet is touched until the backup has been read to its
authenticated end. The wallet in place is then moved aside (kept, and reported), the
restored one moved in; if that swap fails half-way the old wallet is moved back.
"""

import datetime
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..agent.deployment import Deployment
from ..agent.process import port_in_use
from ..secrets import ensure_private_dir
from .container import SealedReader
from .contents import (
    KEY_MEMBER,
    MANIFEST,
    ROLE,
    ROLE_MEMBER,
    has_wallet,
    key_file,
    store_file,
    wallet_name,
)
from .errors import BackupWriteFailed, DamagedBackup, WalletExists, WalletRunning

ALLOWED = (ROLE_MEMBER + "/", "config/")


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class RestoreResult:
    """What `restore_backup` did and what the person should know."""

    manifest: dict
    previous: Path | None
    warnings: list = field(default_factory=list)


def _allowed(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        return False
    return name in (MANIFEST, KEY_MEMBER) or name.startswith(ALLOWED)


def unpack(source, passphrase, staging):
    """Decrypt and extract the backup into `staging`; return its manifest. Raises on any flaw."""
    source = Path(source)
    try:
        raw = open(source, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise DamagedBackup(f"There is no file {source}; check the name.") from None
    with raw:
        reader = SealedReader(raw, passphrase, source)
        manifest = None
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    if not (member.isfile() or member.isdir()) or not _allowed(member.name):
                        raise DamagedBackup(f"{source} holds an unexpected entry {member.name!r}.")
                    if manifest is None:
                        if member.name != MANIFEST:
                            raise DamagedBackup(f"{source} does not start with its manifest.")
                        manifest = json.loads(tar.extractfile(member).read())
                        continue
                    tar.extract(member, staging, filter="data")
        except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DamagedBackup(f"{source} does not hold a readable wallet: {exc}") from exc
        reader.drain()
    if manifest is None:
        raise DamagedBackup(f"{source} holds no manifest; it is not a wallet backup.")
    return manifest


def _running(settings):
    ports = Deployment(settings).ports(ROLE)
    return next((p for p in (ports.admin, ports.inbound) if port_in_use(p)), None)


def _move(src, dst):
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)


def _swap(settings, staging, previous):
    """Move the current wallet to `previous` (if any) and the staged one into place."""
    role_dir, keyf = settings.role_dir(ROLE), key_file(settings)
    new_role, new_key = staging / ROLE_MEMBER, staging / KEY_MEMBER
    moved = []
    try:
        for current, aside in ((role_dir, previous / ROLE_MEMBER), (keyf, previous / KEY_MEMBER)):
            if current.exists():
                _move(current, aside)
                moved.append((aside, current))
        ensure_private_dir(settings.secrets_dir)
        _move(new_role, role_dir)
        if new_key.exists():
            _move(new_key, keyf)
            os.chmod(keyf, 0o600)
    except OSError:
        for target in (role_dir, keyf):
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            elif target.exists():
                target.unlink()
        for aside, current in moved:
            os.replace(aside, current)
        raise
    for root, dirs, files in os.walk(role_dir):
        for name in dirs:
            os.chmod(Path(root) / name, 0o700)
        for name in files:  # the person's data and keys: owner-only, as they were made
            os.chmod(Path(root) / name, 0o600)
    os.chmod(role_dir, 0o700)


def restore_backup(settings, source, passphrase, *, replace=False, now=_utcnow):
    """Restore the holder's wallet from `source`; return a `RestoreResult`.

    Refuses while the holder agent runs, and refuses to replace an existing wallet
    unless `replace` is true; the replaced wallet is kept in `result.previous`.
    """
    busy = _running(settings)
    if busy:
        raise WalletRunning(
            f"The wallet's agent is running (port {busy} is in use). Lock the wallet or stop "
            "`tessera demo`, then restore again."
        )
    if has_wallet(settings) and not replace:
        raise WalletExists(
            f"A wallet already exists in {settings.role_dir(ROLE)}. To replace it with the "
            "backup, restore again with --replace (the current wallet is kept aside)."
        )
    ensure_private_dir(settings.home)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.home))
    try:
        manifest = unpack(source, passphrase, staging)
        staged_store = store_file(_at(staging), manifest.get("wallet_name"))
        if not staged_store.is_file():
            raise DamagedBackup(f"{source} holds no wallet store; it cannot be restored.")
        wanted = store_file(_at(staging))
        if wanted != staged_store:
            _move(staged_store, wanted)
        stamp = now().strftime("%Y%m%dT%H%M%SZ")
        previous = settings.home / f"before-restore-{stamp}"
        _swap(settings, staging, previous)
    except OSError as exc:
        raise BackupWriteFailed(
            f"The backup could not be restored into {settings.home}: {exc.strerror or exc}. "
            "Free some space and try again; the wallet in place is unchanged."
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(
        manifest,
        previous if previous.exists() else None,
        _warnings(settings, manifest),
    )


class _at:
    """A stand-in for Settings rooted at the staging folder (same layout)."""

    def __init__(self, home):
        self.home = Path(home)

    def role_dir(self, role):
        return self.home / "agents" / role


def _warnings(settings, manifest):
    warnings = []
    if manifest.get("port_offset", 0) != settings.port_offset:
        warnings.append(
            f"Firms reach this wallet at {manifest.get('endpoint')}; start it with "
            f"TESSERA_PORT_OFFSET={manifest.get('port_offset')} so its connections keep working."
        )
    if not manifest.get("wallet_key_included"):
        warnings.append(
            "Unlock the restored wallet with the wallet passphrase it had when it was backed up."
        )
    if manifest.get("wallet_name") != wallet_name():
        warnings.append("The wallet's store was renamed to match this machine's configuration.")
    return warnings
