"""Errors the person's wallet raises (all `WalletError`s); the web app maps them to statuses."""

from ..errors import InputError, WalletError


class Locked(WalletError):
    """The wallet is locked: the holder agent is not running."""

    def __init__(self, message="The wallet is locked; unlock it with your passphrase."):
        """Say how to unlock."""
        super().__init__(message)


class WrongPassphrase(InputError):
    """The passphrase does not open the wallet."""

    def __init__(self):
        """Say what to do."""
        super().__init__("Wrong passphrase: the wallet stays locked. Check it and try again.")


class TooManyAttempts(WalletError):
    """Unlocking failed too often; the next attempt must wait."""

    def __init__(self, retry_after):
        """Say how long to wait."""
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(
            f"Too many wrong passphrases: wait {self.retry_after} s before trying again."
        )


class Changed(InputError):
    """What would be sent differs from what the person saw; nothing was sent."""

    def __init__(self):
        """Say what to do."""
        super().__init__(
            "What this answer would disclose changed since the page was shown; nothing was sent. "
            "Read the request again and approve it if you agree."
        )
