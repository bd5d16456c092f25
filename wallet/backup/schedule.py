"""Automatic backups into a folder the person picked, keeping the newest N.

The wallet app calls `scheduled_backup` from a timer while the wallet is unlocked
(the backup passphrase and wallet passphrase are in memory only then); the clock is
passed in. Backups are named by their UTC time, so rotation sorts by name.
"""

import datetime
import re
from pathlib import Path

from ..errors import InputError
from .create import create_backup

NAME = "tessera-backup-{:%Y%m%dT%H%M%SZ}.tessera"
_NAME_RE = re.compile(r"^tessera-backup-(\d{8}T\d{6}Z)\.tessera$")


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


def backups_in(folder):
    """Return [(time, path)] of the scheduled backups in `folder`, oldest first."""
    found = []
    for path in Path(folder).iterdir():
        match = _NAME_RE.match(path.name)
        if match and path.is_file():
            when = datetime.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ")
            found.append((when.replace(tzinfo=datetime.UTC), path))
    return sorted(found)


def due(folder, every, now=_utcnow):
    """Return True when the newest backup in `folder` is at least `every` old (or none exists)."""
    found = backups_in(folder)
    return not found or now() - found[-1][0] >= every


def rotate(folder, keep):
    """Delete all but the newest `keep` scheduled backups in `folder`; return the deleted paths."""
    old = [path for _, path in backups_in(folder)][: -keep or None]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def scheduled_backup(
    settings, folder, passphrase, *, keep=7, every=None, wallet_key=None, now=_utcnow, **options
):
    """Write a dated backup into `folder` when due, then keep the newest `keep`; return it or None.

    `every` (a timedelta) skips the backup while the newest one is younger; `options`
    go to `create_backup`. Older backups are deleted only after the new one is complete.
    """
    if not isinstance(keep, int) or keep < 1:
        raise InputError("Keep at least one backup (keep must be 1 or more).")
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise InputError(f"The backup folder {folder} does not exist; create it or pick another.")
    if every is not None and not due(folder, every, now):
        return None
    moment = now().astimezone(datetime.UTC)
    info = create_backup(
        settings,
        folder / NAME.format(moment),
        passphrase,
        wallet_key=wallet_key,
        now=lambda: moment,
        **options,
    )
    rotate(folder, keep)
    return info
