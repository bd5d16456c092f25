"""Starting and stopping the real holder ACA-Py agent, and telling a wrong passphrase apart."""

from ..errors import AgentStartError
from ..inbox.holder import holder_endpoint
from .errors import WrongPassphrase

WRONG_KEY_SIGNS = ("Error decrypting profile key", "AEAD decryption error")


def wrong_key_in(log_text):
    """Return True when an agent log shows Askar refusing the wallet key."""
    return any(sign in log_text for sign in WRONG_KEY_SIGNS)


class ProcessRunner:
    """Starts and stops the real holder ACA-Py agent for a `HolderService`."""

    def __init__(self, deployment):
        """Use the deployment's holder role."""
        self.deployment = deployment
        self._proc = None

    def start(self, passphrase, webhook_url):
        """Start the agent (endpoint: the inbox) with the passphrase as wallet key."""
        proc = self.deployment.process(
            "holder",
            webhook_url=webhook_url,
            wallet_key=passphrase,
            endpoint=holder_endpoint(self.deployment.settings),
        )
        offset = proc.log_path.stat().st_size if proc.log_path.exists() else 0
        try:
            proc.start()
        except AgentStartError:
            if wrong_key_in(_read_from(proc.log_path, offset)):
                raise WrongPassphrase() from None
            raise
        finally:
            proc.arg_file.unlink(missing_ok=True)
        self._proc = proc
        return self.deployment.admin("holder")

    def stop(self):
        """Stop the agent (waits for it to exit)."""
        if self._proc is not None:
            self._proc.stop()
            self._proc = None
        self.deployment.close()


def _read_from(path, offset):
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")
