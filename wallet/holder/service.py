"""The holder service: owns the person's agent process, webhook hub, `Agent` and history.

The agent runs only while the wallet is unlocked; its public endpoint is the inbox,
which holds firms' messages while it is locked and delivers them on unlock. A timer
re-checks the credentials' revocation status while unlocked, and a housekeeping timer
locks an idle wallet and runs armed automatic backups. The passphrase is the Askar wallet
key (ACA-Py derives the store key from it) and derives the history key; it is kept
in memory only for the start (and, if the person arms automatic backups, until lock),
and the agent's arg file holding it is removed once the agent has read it.
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
from ..backup.create import create_backup
from ..backup.errors import WrongWalletKey
from ..backup.restore import restore_backup
from ..errors import InputError
from ..flows.revocation import StatusCache
from ..history import HistoryLog
from ..inbox.holder import holder_target
from ..secrets import ensure_private_dir
from .autobackup import ScheduledBackups
from .backoff import Backoff
from .errors import Locked, WrongPassphrase
from .inbox import InboxLink
from .records import IssuanceIndex
from .revocation import DEFAULT_INTERVAL, DEFAULT_MAX_AGE, RevocationWatch
from .runner import ProcessRunner
from .timer import Timer

LIVE_TOPICS = ("issue_credential_v2_0", "present_proof_v2_0", "connections", "out_of_band")
MIN_PASSPHRASE = 8
TIMER_INTERVAL = 30.0


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
        timer_interval=TIMER_INTERVAL,
        backup_options=None,
    ):
        """Prepare; nothing starts until `setup()` or `unlock()`.

        `inbox_client` talks to the inbox (default: the `InboxClient` of `settings`);
        `own_inbox` (default: True when the service runs its own real agent) lets the
        service start an inbox in this process when none answers at unlock;
        `revocation_interval` (seconds, None: no timer) paces the background status check;
        `timer_interval` (seconds, None: no thread; tests call `tick()`) paces idle locking
        and automatic backups; `backup_options` go to `create_backup` (scrypt_n, chunk).
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
        self.issuance = IssuanceIndex()  # who issued each credential, per unlock
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
        self.backup_options = dict(backup_options or {})
        self.backups = ScheduledBackups(
            settings, self.data_dir, now=lambda: self.wall_clock(), options=self.backup_options
        )
        self.timer = Timer(timer_interval, self.tick)

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
            self.issuance = IssuanceIndex()
            self.inbox_problem = (
                self.inbox.release(self.agent, holder_target(Deployment(self.settings)))
                or self.inbox_problem
            )
            self.revocation.start(self.agent)
            self.timer.start()
            self.session_id = secrets.token_urlsafe(24)
            self.touch()
            return self.session_id

    def lock(self):
        """Hold the inbox, stop the agent, forget the session, history and backup keys."""
        self.timer.stop()  # outside the lock: a tick may be locking the wallet itself
        self.backups.disarm()
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

    def tick(self):
        """Housekeeping (the timer's work): lock when idle, else run an automatic backup if due."""
        if self.expire_if_idle():
            return None
        if not self.unlocked:
            return None
        return self.backups.tick()

    def export_backup(self, out, wallet_key, passphrase):
        """Write a backup of the wallet to `out`; `wallet_key` is checked (with backoff)."""
        self.require()
        self.backoff.check()
        try:
            info = create_backup(
                self.settings,
                out,
                passphrase,
                wallet_key=wallet_key,
                now=self.wall_clock,
                **self.backup_options,
            )
        except WrongWalletKey:
            self.backoff.failure()
            raise
        self.backoff.success()
        return info

    def restore(self, source, passphrase):
        """First run only: restore the wallet from the backup file `source`; return the result.

        Whatever a never-set-up wallet left (an inbox id) is kept aside by the restore.
        """
        with self._lock:
            if not self.first_run or self.unlocked:
                raise InputError(
                    "This wallet is already set up; restoring over it is done with "
                    "`tessera backup restore --replace` while the wallet is stopped."
                )
            result = restore_backup(
                self.settings, source, passphrase, replace=True, now=self.wall_clock
            )
            self._forget_inbox_id()
            return result

    def _forget_inbox_id(self):
        """The restored wallet has its own inbox id: re-read it (and register it if ours)."""
        old, self._inbox = self._inbox, None
        if old is not None and old.server is not None:
            self.inbox.server = old.server
            old.server = None
            self.inbox.server.inbox.register(
                self.inbox.person_id, holder_target(Deployment(self.settings))
            )

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
