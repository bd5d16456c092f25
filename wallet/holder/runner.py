"""Start, supervise and stop the real holder ACA-Py agent; tell a wrong passphrase apart.

While the wallet is unlocked the runner keeps the passphrase in memory (as the agent
process's own pipe secrets already are) so that, when the agent dies, it starts it
again by itself (`wallet.agent.supervisor`): meanwhile calls to the agent raise
`AgentRestarting` (the API answers 503 with Retry-After), and after repeated fast
deaths `AgentGaveUp`. Lock (`stop()`) forgets the passphrase.
"""

import threading

from ..agent.supervisor import GAVE_UP, RESTARTING, STOPPED, Supervisor, watch
from ..errors import AgentGaveUp, AgentRestarting, AgentStartError
from ..inbox.holder import holder_endpoint
from .errors import WrongPassphrase

WRONG_KEY_SIGNS = ("Error decrypting profile key", "AEAD decryption error")
WATCH_INTERVAL = 0.5


def wrong_key_in(log_text):
    """Return True when an agent log shows Askar refusing the wallet key."""
    return any(sign in log_text for sign in WRONG_KEY_SIGNS)


class ProcessRunner:
    """Starts, restarts when it dies, and stops the real holder ACA-Py agent."""

    def __init__(self, deployment, supervise=True, watch_interval=WATCH_INTERVAL):
        """Use the deployment's holder role; `supervise=False` never restarts the agent."""
        self.deployment = deployment
        self.supervise = supervise
        self.watch_interval = watch_interval
        self.supervisor = None
        self._proc = None
        self._start_args = None  # (passphrase, webhook URL) while unlocked, for restarts
        self._lock = threading.RLock()
        self._stop_watch = None

    def start(self, passphrase, webhook_url):
        """Start the agent (endpoint: the inbox) with the passphrase as wallet key."""
        with self._lock:
            self._proc = self._spawn(passphrase, webhook_url)
            self._start_args = (passphrase, webhook_url)
            admin = self.deployment.admin("holder")
            if self.supervise:
                self.supervisor = Supervisor("wallet's agent", self.alive, self._restart)
                self._stop_watch = watch(self.supervisor, self.watch_interval, self._lock)
                admin.on_no_answer = self.unavailable
            return admin

    def _spawn(self, passphrase, webhook_url):
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
        return proc

    def alive(self):
        """Return True while the agent process runs."""
        proc = self._proc
        return proc is not None and proc.running()

    def _restart(self):
        # Called by the supervisor's thread with self._lock held.
        if self._start_args is None:
            raise AgentStartError("The wallet is locked; nothing to restart.")
        old = self._proc
        if old is not None:
            old.reap()
            old.admin.close()  # its readiness client: dropped open, its socket would leak
        self._proc = self._spawn(*self._start_args)

    @property
    def restarts(self):
        """Return how often the agent was restarted since it was started (webhooks may be lost)."""
        supervisor = self.supervisor
        return supervisor.restarts if supervisor is not None else 0

    def unavailable(self):
        """Return the error a call to the agent raises now, or None when it should answer.

        None while the agent runs; `AgentRestarting` when it died and is (or will be)
        restarted; `AgentGaveUp` once the supervisor stopped trying.
        """
        supervisor = self.supervisor
        if supervisor is None or supervisor.state == STOPPED:
            return None
        if supervisor.state == GAVE_UP:
            return AgentGaveUp(supervisor.problem)
        if supervisor.state == RESTARTING or not self.alive():
            return AgentRestarting(supervisor.retry_after())
        return None

    def stop(self):
        """Stop supervising, stop the agent (waits for it to exit), forget the passphrase."""
        if self._stop_watch is not None:
            self._stop_watch.set()
        with self._lock:  # waits for a restart under way
            if self.supervisor is not None:
                self.supervisor.stop()
            self._start_args = None
            if self._proc is not None:
                self._proc.stop()
                self._proc = None
            self.deployment.close()


def _read_from(path, offset):
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")
