"""The holder service: the person's wallet, unlocked and locked, built from parts with one job.

- `Session`: the agent process, its webhook hub, the `Agent`, the history, the browser
  session (and the backoff on wrong passphrases);
- `Responders`: the rules responder and the terms responder, started by unlock and
  stopped by lock, explicitly;
- `ScheduledBackups`: automatic backups, armed by the person for one unlock;
- `InboxLink`: the inbox holds firms' messages while locked and delivers them on unlock;
- `RevocationWatch`: credentials' revocation status, re-checked on a timer while unlocked;
- `Waiting`: the requests and offers waiting for the person, kept from the webhooks,
  listed once at unlock and again after the agent restarted (and on the timer);
- `HeldCredentials`: the credential index (ids, kinds, dates), kept from the webhooks,
  deletions and revocation checks, read at unlock and sealed again at lock.

A housekeeping timer locks an idle wallet and runs armed automatic backups. The
passphrase is the Askar wallet key (ACA-Py derives the store key from it) and derives
the history key; it is kept in memory only for the start (and, if the person arms
automatic backups, until lock), and the agent's arg file holding it is removed once
the agent has read it.
"""

import contextlib
import logging
import threading
import time

from .. import durable
from ..agent.deployment import Deployment
from ..backup.create import create_backup
from ..backup.errors import WrongWalletKey
from ..backup.restore import restore_backup
from ..errors import InputError, WalletError
from ..flows.revocation import StatusCache
from ..inbox.holder import holder_target
from ..schemas import load_all
from ..secrets import ensure_private_dir
from .autobackup import ScheduledBackups
from .credential_index import KEY_PURPOSE, HeldCredentials
from .errors import WrongPassphrase
from .history_anchor import store_anchor
from .inbox import InboxLink
from .receipts_owed import OwedReceipts
from .responders import NoResponders, Responders
from .revocation import DEFAULT_INTERVAL, DEFAULT_MAX_AGE, RevocationWatch
from .runner import ProcessRunner
from .session import Session, _utcnow
from .timer import Timer
from .waiting import Waiting

LIVE_TOPICS = ("issue_credential_v2_0", "present_proof_v2_0", "connections", "out_of_band")
MIN_PASSPHRASE = 8
TIMER_INTERVAL = 30.0
LOG = logging.getLogger(__name__)


class HolderService:
    """The person's wallet: set up, unlock, lock, housekeeping, backups, live changes."""

    def __init__(
        self, settings, session, inbox, backups, revocation, responders, timer_interval=None
    ):
        """Compose the parts (see `for_settings`); nothing starts until `setup()` or `unlock()`.

        `timer_interval` (seconds, None: no thread; tests call `tick()`) paces idle
        locking and automatic backups.
        """
        self.settings = settings
        self.session = session
        self.inbox = inbox
        self.backups = backups
        self.revocation = revocation
        self.responders = responders
        self.data_dir = session.data_dir
        self.wall_clock = session.wall_clock  # the wallet's clock (aware datetimes)
        self.inbox_problem = ""
        self.waiting = Waiting(
            session.wall_clock, generation=lambda: getattr(session.runner, "restarts", 0)
        )
        self.held = HeldCredentials(
            session.wall_clock, generation=lambda: getattr(session.runner, "restarts", 0)
        )
        revocation.on_checked = self.held.revocation_checked
        self.live_seq = 0
        self._live = threading.Condition()
        self._lock = threading.RLock()
        self.timer = Timer(timer_interval, self.tick)
        self.owed_receipts = OwedReceipts(self, timer_interval and max(timer_interval, 60.0))
        revocation.on_news = self._bump

    @classmethod
    def for_settings(
        cls,
        settings,
        *,
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
        schemas=None,
        answer=True,
    ):
        """Build the service of the holder of `settings` (the one place its knobs meet).

        `runner` starts the agent (default: the real process); `inbox_client` talks to
        the inbox (default: its control client); `own_inbox` (default: True with the
        real agent) lets the wallet start an inbox in its process when none answers;
        `revocation_interval` (None: no timer) paces status checks; `backup_options` go
        to `create_backup`; `schemas` label what the responders log; `answer=False`
        runs no responders.
        """
        data_dir = settings.role_dir("holder") / "tessera"
        own = runner is None if own_inbox is None else own_inbox
        session = Session(
            data_dir,
            runner or ProcessRunner(Deployment(settings)),
            clock=clock,
            wall_clock=wall_clock,
            idle_timeout=idle_timeout,
            scrypt_n=scrypt_n,
            backoff=backoff,
            history_anchor=store_anchor(settings) if runner is None else None,
        )
        revocation = RevocationWatch(
            StatusCache.for_settings(settings),
            now=lambda: wall_clock().timestamp(),
            interval=revocation_interval,
            max_age=revocation_max_age,
        )
        backups = ScheduledBackups(settings, data_dir, now=wall_clock, options=backup_options)
        responders = (
            Responders(data_dir, schemas if schemas is not None else load_all(), wall_clock)
            if answer
            else NoResponders()
        )
        inbox = InboxLink.for_settings(settings, inbox_client, own=own)
        return cls(settings, session, inbox, backups, revocation, responders, timer_interval)

    # What the pages read of the session

    @property
    def agent(self):
        """Return the running `Agent`, or None while locked."""
        return self.session.agent

    @property
    def history(self):
        """Return the open history, or None while locked."""
        return self.session.history

    @property
    def unlocked(self):
        """Return True while the agent runs."""
        return self.session.unlocked

    def require(self):
        """Return the running `Agent` or raise `Locked`."""
        return self.session.require()

    def touch(self):
        """Record activity now."""
        self.session.touch()

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

    # Unlock and lock

    def setup(self, passphrase, confirm):
        """First run: choose the passphrase, create the wallet and unlock it."""
        if not self.first_run:
            raise InputError("The wallet already has a passphrase; unlock it instead.")
        if len(passphrase) < MIN_PASSPHRASE:
            raise InputError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")
        if passphrase != confirm:
            raise InputError("The two passphrases differ; type the same one twice.")
        with self._lock:
            if self.unlocked:  # two first-run forms posted at once: only the first one wins
                raise InputError("The wallet already has a passphrase; unlock it instead.")
            session = self._open(passphrase)
            ensure_private_dir(self.data_dir)
            self.session.passcheck.save(passphrase)
        created = self.wall_clock().isoformat(timespec="seconds")
        with contextlib.suppress(FileExistsError):  # never replaced: the first setup's stays
            durable.write_json(self.marker, {"created": created}, replace=False)
        return session

    def unlock(self, passphrase, client=""):
        """Check `passphrase`, start the agent if it is not running; return a new session id.

        Every unlock is checked against the passphrase verifier, also while the wallet is
        already unlocked (a wrong passphrase then gets no session and ends none). A
        wallet without a verifier yet is checked by the agent's start, and gets one.
        Wrong passphrases are slowed down per `client` (its address) and for everyone.
        """
        if self.first_run:
            raise InputError("The wallet has no passphrase yet; choose one first.")
        backoff = self.session.unlock_backoff
        backoff.check(client)
        check = self.session.passcheck
        try:
            with self._lock:
                known = check.exists
                if known and not check.matches(passphrase):
                    raise WrongPassphrase()
                if not known and self.unlocked:
                    # Nothing to check a passphrase against while the agent runs: refuse.
                    raise WrongPassphrase()
                session = self._open(passphrase)
                if not known:
                    check.save(passphrase)
        except WrongPassphrase:
            backoff.failure(client)
            raise
        backoff.success(client)
        return session

    def _open(self, passphrase):
        with self._lock:
            if self.unlocked:
                return self.session.new_id()
            if self.inbox.own:
                self.inbox_problem = self.inbox.ensure_running(Deployment(self.settings))
            agent = self.session.open(passphrase, on_event=self._on_event)
            self._relist(agent)  # the hub listens already: nothing arriving now is lost
            self._index_credentials(agent)
            self.inbox_problem = (
                self.inbox.release(agent, holder_target(Deployment(self.settings)))
                or self.inbox_problem
            )
            self.responders.start(
                agent, self.session.history, self.waiting, lookup=self.held.candidates
            )
            self.revocation.start(agent)
            session_id = self.session.new_id()  # activity now: the timer's first tick sees it
            self.timer.start()
            self.owed_receipts.start()
            return session_id

    def lock(self):
        """Stop the responders, hold the inbox, stop the agent; forget session, history, keys."""
        self.timer.stop()  # outside the lock: a tick may be locking the wallet itself
        self.owed_receipts.stop()
        self.backups.disarm()
        with self._lock:
            running = self.unlocked
            self.responders.stop()
            self.revocation.stop()
            if running:
                self.inbox_problem = self.inbox.hold()
            self.session.close()
            self.waiting.forget()
            self.held.close()
        self._bump()

    def close(self):
        """Lock, then stop an inbox this service started and close its client."""
        self.lock()
        self.inbox.close()

    def expire_if_idle(self):
        """Lock when nothing happened for the idle timeout; return True if it locked."""
        if self.session.idle:
            self.lock()
            return True
        return False

    def tick(self):
        """Housekeeping (the timer's work): lock when idle, else run an automatic backup if due."""
        if self.expire_if_idle():
            return None
        if not self.unlocked:
            return None
        if not self.session.reconnecting:
            self._relist(self.agent, when_due=True)
        return self.backups.tick()

    def _relist(self, agent, when_due=False):
        """List what waits for the person (at unlock; when due, on the timer).

        A listing that fails is logged: the first page to read what waits lists again.
        """
        try:
            if when_due:
                self.waiting.tick(agent)
            else:
                self.waiting.relist(agent)
        except WalletError as exc:
            LOG.warning("Could not list the requests and offers waiting: %s", exc)

    def _index_credentials(self, agent):
        """Open the credential index at unlock; rebuild it now when it must be.

        A rebuild that fails is logged: the first page that reads credentials tries again.
        """
        self.held.open(self.data_dir, self.session.history.subkey(KEY_PURPOSE))
        try:
            self.held.fresh(agent)
        except WalletError as exc:
            LOG.warning("Could not list the credentials to index them: %s", exc)

    # Backups

    def export_backup(self, out, wallet_key, passphrase):
        """Write a backup of the wallet to `out`; `wallet_key` is checked (with backoff)."""
        self.require()
        backoff = self.session.backoff
        backoff.check()
        try:
            info = create_backup(
                self.settings,
                out,
                passphrase,
                wallet_key=wallet_key,
                now=self.wall_clock,
                **self.backups.options,
            )
        except WrongWalletKey:
            backoff.failure()
            raise
        backoff.success()
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
            self.inbox = self.inbox.renewed(holder_target(Deployment(self.settings)))
            return result

    # Live changes

    def _on_event(self, event):
        self.waiting.on_event(event)  # before the bump: a woken page reads it
        self.held.on_event(event)
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
