"""What can go wrong on a hosted Tessera, each with what the person can do next."""

from ..errors import InputError, WalletError


class HostError(WalletError):
    """Base of the host's own errors; `status` is the HTTP answer."""

    status = 500


class StoreUnavailable(HostError):
    """PostgreSQL does not answer: nothing was lost, try again shortly."""

    status = 503
    retry_after = 30

    def __init__(self, detail=""):
        """Say that nothing was lost and when to retry (the detail goes to the log only)."""
        self.detail = detail
        super().__init__(
            "The service's database is not answering right now. Nothing was lost; "
            "try again in a minute."
        )


class LeaseLost(HostError):
    """This instance no longer holds the person's wallet (another one took it over)."""

    status = 409

    def __init__(self):
        """Tell the person to log in again."""
        super().__init__(
            "Your wallet was opened on another server of this service, so this page can no "
            "longer change it. Log in again to continue."
        )


class Busy(HostError):
    """The instance runs as many wallets as it may."""

    status = 503
    retry_after = 60

    def __init__(self):
        """Say to try again in a minute."""
        super().__init__("The service is busy right now; try again in a minute.")


class OpenElsewhere(HostError):
    """The person's wallet is open on another instance and did not close in time."""

    status = 409

    def __init__(self, seconds):
        """Say when the other instance's hold runs out."""
        self.retry_after = max(1, int(seconds))
        super().__init__(
            "Your wallet is still open on another server of this service, which did not "
            f"answer. It is released within {self.retry_after} s; log in again then. "
            "Nothing is lost."
        )


class BadCredentials(InputError):
    """Wrong name or passphrase (never says which)."""

    def __init__(self):
        """One message for an unknown name and a wrong passphrase."""
        super().__init__("The name or the passphrase is wrong.")


class NameTaken(InputError):
    """Another account has that name."""

    def __init__(self):
        """Ask for another name."""
        super().__init__("That name is taken; choose another.")
