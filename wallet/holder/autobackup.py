"""Automatic backups while the wallet is unlocked: the schedule on disk, the keys in memory.

The schedule (folder, how many to keep, every how many hours) is a small JSON file with
no secret in it. Nothing runs until the person *arms* it for the current unlock by
typing their wallet passphrase (Askar needs it to copy the store) and their backup
passphrase: the wallet passphrase is then held in memory and the backup passphrase
only as a `BackupKey` derived from it (scrypt, once); both are forgotten on lock. So
after every unlock the schedule stays paused until the person types them again.
"""

import datetime
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import durable
from ..backup.container import BackupKey, passphrase_opens
from ..backup.contents import store_file
from ..backup.create import check_passphrase
from ..backup.errors import WrongBackupPassphrase
from ..backup.schedule import backups_in, scheduled_backup
from ..backup.store_copy import check_wallet_key
from ..errors import InputError, WalletError
from ..secrets import ensure_private_dir

LOG = logging.getLogger("tessera.wallet")
SCHEDULE_FILE = "backup-schedule.json"
MAX_KEEP = 100
MAX_HOURS = 24 * 30
RETRY_AFTER = datetime.timedelta(minutes=10)
DAMAGED = "turn automatic backups off and on again."


@dataclass(frozen=True)
class Schedule:
    """Where automatic backups go, how many are kept, and how often one is made."""

    folder: str
    keep: int
    every_hours: int

    @property
    def every(self):
        """Return the interval as a timedelta."""
        return datetime.timedelta(hours=self.every_hours)


def _whole(text, low, high, what):
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InputError(f"{what} must be a whole number from {low} to {high}.") from None
    if not low <= value <= high:
        raise InputError(f"{what} must be a whole number from {low} to {high}.")
    return value


def parse_schedule(folder, keep, every_hours, role_dir):
    """Return a checked `Schedule`; the folder must exist and lie outside the wallet's data."""
    text = str(folder or "").strip()
    if not text:
        raise InputError("Type the folder where automatic backups go, e.g. /media/usb/backups.")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise InputError(f"Give the full path of the folder (starting with /), not {text!r}.")
    path = path.resolve()
    if not path.is_dir():
        raise InputError(f"The folder {path} does not exist; create it or pick another.")
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"The wallet cannot write into {path}; pick a folder you own.")
    role = Path(role_dir).resolve()
    if path == role or role in path.parents:
        raise InputError("Pick a folder outside the wallet's own data (ideally another disk).")
    return Schedule(
        str(path),
        _whole(keep, 1, MAX_KEEP, "Backups to keep"),
        _whole(every_hours, 1, MAX_HOURS, "Hours between backups"),
    )


class ScheduledBackups:
    """The person's automatic backups: load/save the schedule, arm it, and run it when due."""

    def __init__(self, settings, data_dir, now, options=None):
        """Use the holder of `settings`; `now()` gives an aware datetime; `options` go to
        `create_backup` (scrypt_n, chunk)."""
        self.settings = settings
        self.path = Path(data_dir) / SCHEDULE_FILE
        self.now = now
        self.options = dict(options or {})
        self.last_backup = None
        self.last_error = ""
        self._keys = None
        self._retry_at = None
        self._lock = threading.Lock()

    def load(self):
        """Return the saved `Schedule`, or None when automatic backups are off."""
        doc = durable.read_json(self.path, missing=None, advice=DAMAGED, now=self.now)
        if doc is None:
            return None
        try:
            return Schedule(str(doc["folder"]), int(doc["keep"]), int(doc["every_hours"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{self.path} is damaged; {DAMAGED}") from exc

    def _save(self, schedule):
        ensure_private_dir(self.path.parent)
        durable.write_json(self.path, asdict(schedule), indent=1)

    @property
    def armed(self):
        """Return True while the keys are in memory (this unlock)."""
        return self._keys is not None

    @property
    def paused(self):
        """Return True when a schedule is set but not armed for this unlock."""
        return not self.armed and durable.exists(self.path)

    def turn_on(self, schedule, wallet_key, passphrase, confirm=None):
        """Check both passphrases, save `schedule` and arm it; `confirm` None: no retyping."""
        check_passphrase(passphrase)
        if confirm is not None and passphrase != confirm:
            raise InputError("The two backup passphrases differ; type the same one twice.")
        newest = backups_in(schedule.folder)[-1:]
        if newest and not passphrase_opens(newest[0][1], passphrase):
            raise WrongBackupPassphrase(
                f"{newest[0][1]} (your newest automatic backup there; use its passphrase, or "
                "pick an empty folder to start with a new one)"
            )
        check_wallet_key(store_file(self.settings), wallet_key)
        key = BackupKey(passphrase, **self._kdf_options())
        with self._lock:
            self._save(schedule)
            self._keys = (wallet_key, key)
            self._retry_at = None
            self.last_error = ""

    def _kdf_options(self):
        return {"scrypt_n": self.options["scrypt_n"]} if "scrypt_n" in self.options else {}

    def turn_off(self):
        """Forget the schedule and the keys."""
        with self._lock:
            self._keys = None
            durable.remove(self.path)

    def disarm(self):
        """Forget the keys (on lock); the schedule stays for the next unlock."""
        with self._lock:
            self._keys = None

    def tick(self):
        """Back up when armed and due; return the `BackupInfo` written, or None."""
        with self._lock:
            if self._keys is None:
                return None
            moment = self.now()
            if self._retry_at is not None and moment < self._retry_at:
                return None
            try:
                schedule = self.load()
                if schedule is None:
                    return None
                wallet_key, key = self._keys
                options = {k: v for k, v in self.options.items() if k != "scrypt_n"}
                info = scheduled_backup(
                    self.settings,
                    schedule.folder,
                    key,
                    keep=schedule.keep,
                    every=schedule.every,
                    wallet_key=wallet_key,
                    now=lambda: moment,
                    **options,
                )
            except WalletError as exc:
                self.last_error = str(exc)
                self._retry_at = moment + RETRY_AFTER
                LOG.warning("automatic backup failed: %s", exc)
                return None
            if info is not None:
                self.last_backup, self.last_error, self._retry_at = info, "", None
            return info
