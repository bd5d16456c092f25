"""The holder service: owns the person's agent process, webhook hub, `Agent` and history.

The agent runs only while the wallet is unlocked; its public endpoint is the inbox,
which holds firms' messages while it is locked and delivers them on unlock. A timer
re-checks the credentials' revocation status while unlocked. The passphrase is the Askar wallet
key (ACA-Py derives the store key from it) and derives the history key; it is kept
in memory only for the start, and the agent's arg file holding it is removed once
the agent has read it.
"""

import datetime
import json
import os
import secrets
import threading
import time
from pathlib import Path

from ..agent.deployment import Deployment
from ..agent.handle import Agent
from ..agent.webhooks import WebhookHub
from ..errors import AgentStartError, InputError
from ..flows.revocation import StatusCache
from ..history import HistoryLog
from ..inbox.holder import holder_endpoint
from ..secrets import ensure_private_dir
from .backoff import Backoff
from .errors import Locked, WrongPassphrase
from .inbox import InboxLink
from .revocation import DEFAULT_INTERVAL, DEFAULT_MAX_AGE, RevocationWatch

WRONG_KEY_SIGNS = ("Error decrypting profile key", "AEAD decryption error")
LIVE_TOPICS = ("issue_credential_v2_0", "present_proof_v2_0", "connections", "out_of_band")
MIN_PASSPHRASE = 8


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


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


class HolderService:
    """The person's wallet behind the web app: unlock, lock, agent, history, live counter."""

    def __init__(
        self,
        settings,
        runner=None,
        clock=time.monotonic,
        wall_clock=_utcnow,
        idle_timeout=900.0,
        backoff=None,
        scrypt_n=None,
        inbox_client=None,
        own_inbox=None,
        revocation_interval=DEFAULT_INTERVAL,
        revocation_max_age=DEFAULT_MAX_AGE,
    ):
        """Prepare; nothing starts until `setup()` or `unlock()`.

        `inbox_client` talks to the inbox (default: the `InboxClient` of `settings`);
        `own_inbox` (default: True when the service runs its own real agent) lets the
        service start an inbox in this process when none answers at unlock;
        `revocation_interval` (seconds, None: no timer) paces the background status check.
        """
        self.settings = settings
        self.own_inbox = runner is None if own_inbox is None else own_inbox
        self.runner = runner or ProcessRunner(Deployment(settings))
        self.clock = clock
        self.wall_clock = wall_clock
        self.idle_timeout = idle_timeout
        self.backoff = backoff or Backoff(clock=clock)
        self._scrypt = {"scrypt_n": scrypt_n} if scrypt_n else {}
        self.data_dir = Path(settings.role_dir("holder")) / "tessera"
        self.hub = None
        self.agent = None
        self.history = None
        self.session_id = None
        self.last_seen = 0.0
        self.live_seq = 0
        self._live = threading.Condition()
        self._lock = threading.RLock()
        self._inbox_client = inbox_client
        self._inbox = None
        self.inbox_problem = ""
        self.revocation = RevocationWatch(
            StatusCache.for_settings(settings),
            now=lambda: self.wall_clock().timestamp(),
            interval=revocation_interval,
            max_age=revocation_max_age,
            on_news=self._bump,
        )

    @property
    def inbox(self):
        """Return the `InboxLink` to this wallet's queue (made on first use)."""
        if self._inbox is None:
            self._inbox = InboxLink.for_settings(self.settings, self._inbox_client)
        return self._inbox

    def inbox_state(self):
        """Return the `InboxState` for the lock screen."""
        return self.inbox.state()

    @property
    def marker(self):
        """Return the file whose presence says the wallet was set up."""
        return self.data_dir / "wallet.json"

    @property
    def first_run(self):
        """Return True until a passphrase has been chosen."""
        return not self.marker.exists()

    @property
    def unlocked(self):
        """Return True while the agent runs."""
        return self.agent is not None

    def require(self):
        """Return the running `Agent` or raise `Locked`."""
        agent = self.agent
        if agent is None:
            raise Locked()
        return agent

    def setup(self, passphrase, confirm):
        """First run: choose the passphrase, create the wallet and unlock it."""
        if not self.first_run:
            raise InputError("The wallet already has a passphrase; unlock it instead.")
        if len(passphrase) < MIN_PASSPHRASE:
            raise InputError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")
        if passphrase != confirm:
            raise InputError("The two passphrases differ; type the same one twice.")
        session = self._open(passphrase)
        ensure_private_dir(self.data_dir)
        created = self.wall_clock().isoformat(timespec="seconds")
        self.marker.write_text(json.dumps({"created": created}) + "\n")
        os.chmod(self.marker, 0o600)
        return session

    def unlock(self, passphrase):
        """Start the agent with `passphrase`; return a new session id."""
        if self.first_run:
            raise InputError("The wallet has no passphrase yet; choose one first.")
        self.backoff.check()
        try:
            session = self._open(passphrase)
        except WrongPassphrase:
            self.backoff.failure()
            raise
        self.backoff.success()
        return session

    def _open(self, passphrase):
        with self._lock:
            if self.unlocked:
                self.session_id = secrets.token_urlsafe(24)
                self.touch()
                return self.session_id
            if self.own_inbox:
                self.inbox_problem = self.inbox.ensure_running(Deployment(self.settings))
            hub = WebhookHub().start()
            try:
                admin = self.runner.start(passphrase, hub.url_for("holder"))
                history = HistoryLog(
                    self.data_dir / "history", passphrase, clock=self.wall_clock, **self._scrypt
                )
            except BaseException:
                self.runner.stop()
                hub.stop()
                raise
            hub.add_listener(self._on_event)
            self.hub, self.history = hub, history
            self.agent = Agent("holder", admin, hub)
            self.inbox_problem = self.inbox.release(self.agent) or self.inbox_problem
            self.revocation.start(self.agent)
            self.session_id = secrets.token_urlsafe(24)
            self.touch()
            return self.session_id

    def lock(self):
        """Hold the inbox, stop the agent, forget the session and history key."""
        with self._lock:
            running = self.agent is not None
            self.agent = None
            self.history = None
            self.session_id = None
            self.revocation.stop()
            if running:
                self.inbox_problem = self.inbox.hold()
            self.runner.stop()
            if self.hub is not None:
                self.hub.stop()
                self.hub = None
        self._bump()

    def close(self):
        """Lock, then stop an inbox this service started and close its client."""
        self.lock()
        if self._inbox is not None:
            self._inbox.close()

    def touch(self):
        """Record activity now."""
        self.last_seen = self.clock()

    def expire_if_idle(self):
        """Lock when nothing happened for `idle_timeout` seconds; return True if it locked."""
        if self.unlocked and self.clock() - self.last_seen > self.idle_timeout:
            self.lock()
            return True
        return False

    def _on_event(self, event):
        if event.role == "holder" and event.topic in LIVE_TOPICS:
            self._bump()

    def _bump(self):
        with self._live:
            self.live_seq += 1
            self._live.notify_all()

    def wait_change(self, since, timeout):
        """Block until something changed after `since` (or `timeout`); return the sequence."""
        with self._live:
            self._live.wait_for(lambda: self.live_seq != since, timeout)
            return self.live_seq
