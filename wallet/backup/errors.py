"""What can go wrong with a backup, each with a message saying what to do next."""

from ..errors import InputError, WalletError


class BackupError(WalletError):
    """A backup could not be made or restored; nothing was changed."""


class WrongBackupPassphrase(BackupError, InputError):
    """The backup passphrase does not open this backup file."""

    def __init__(self, path):
        """Name the file."""
        super().__init__(
            f"The backup passphrase does not open {path}. Type the passphrase you chose when "
            "you made this backup (not necessarily your wallet passphrase)."
        )


class DamagedBackup(BackupError, InputError):
    """The backup file is truncated, altered or not a Tessera backup at all."""


class NewerFormat(BackupError, InputError):
    """The backup was written by a newer Tessera than this one."""

    def __init__(self, path, version, supported):
        """Name the versions."""
        self.version = version
        super().__init__(
            f"{path} is a backup in format {version}, made by a newer Tessera; this one reads "
            f"formats up to {supported}. Update Tessera, then restore again."
        )


class WrongWalletKey(BackupError, InputError):
    """The wallet passphrase (wallet key) does not open the holder's store."""


class NoWallet(BackupError):
    """There is no holder wallet to back up."""


class WalletExists(BackupError):
    """Restore would overwrite an existing wallet and was not told to."""


class WalletRunning(BackupError):
    """The holder agent runs, so its store cannot be replaced now."""


class BackupWriteFailed(BackupError):
    """Writing the backup or the restored files failed (disk full, no permission)."""
