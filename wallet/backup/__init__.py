"""Backup, restore and moving the person's wallet to a new machine (one encrypted file)."""

from .create import BackupInfo, create_backup
from .errors import (
    BackupError,
    BackupWriteFailed,
    DamagedBackup,
    NewerFormat,
    NoWallet,
    WalletExists,
    WalletRunning,
    WrongBackupPassphrase,
    WrongWalletKey,
)
from .restore import RestoreResult, restore_backup
from .schedule import backups_in, due, rotate, scheduled_backup

__all__ = [
    "BackupError",
    "BackupInfo",
    "BackupWriteFailed",
    "DamagedBackup",
    "NewerFormat",
    "NoWallet",
    "RestoreResult",
    "WalletExists",
    "WalletRunning",
    "WrongBackupPassphrase",
    "WrongWalletKey",
    "backups_in",
    "create_backup",
    "due",
    "restore_backup",
    "rotate",
    "scheduled_backup",
]
