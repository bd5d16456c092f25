"""Each credential's revocation status in the wallet: cached, checked on demand and on a timer.

A thin owner of `wallet.flows.revocation`'s cache: `check_now` refreshes on the person's
request, `check_due` re-checks what is older than `max_age`, and a timer thread (started
on unlock, stopped on lock) calls `check_due` every `interval` seconds. Credentials found
newly revoked wait in `unseen` until the person has been told.
"""

import datetime
import logging
import threading
import time
from dataclasses import dataclass

from ..errors import WalletError
from ..flows import revocation as flow
from .timer import Timer

LOG = logging.getLogger("tessera.wallet")
DEFAULT_INTERVAL = 60.0
DEFAULT_MAX_AGE = 300.0


@dataclass(frozen=True)
class StatusView:
    """A credential's status as the pages show it: a key for styling, words, when checked."""

    key: str
    text: str
    checked: str


def view(status):
    """Return the `StatusView` of a `CredentialStatus` (None: not known to the cache)."""
    if status is None or not status.revocable:
        return StatusView("not-revocable", "valid (cannot be revoked)", "no check needed")
    if status.checked_at is None:
        return StatusView("unchecked", "not checked yet", "never")
    when = datetime.datetime.fromtimestamp(status.checked_at, datetime.UTC)
    checked = when.strftime("%Y-%m-%d %H:%M UTC")
    if status.revoked:
        return StatusView("revoked", "revoked by its issuer", checked)
    return StatusView("valid", "valid", checked)


class RevocationWatch:
    """The wallet's view of revocation: statuses, refreshes, and news not yet shown."""

    def __init__(
        self, cache, now=time.time, interval=DEFAULT_INTERVAL, max_age=DEFAULT_MAX_AGE, on_news=None
    ):
        """Use `cache` (a `StatusCache`); `now()` gives seconds since the epoch."""
        self.cache = cache
        self.now = now
        self.interval = interval
        self.max_age = max_age
        self.on_news = on_news
        self.on_checked = None  # on_checked({cred_id: CredentialStatus}) after each check
        self.last_error = ""
        self.checks = 0
        self._unseen = []
        self._lock = threading.Lock()
        self._checked = threading.Condition()
        self._timer = None

    def statuses(self, agent, held=None):
        """Return {cred_id: CredentialStatus} as last checked (no revocation check made).

        `held` (credentials with `cred_id` and `rev_reg_id`) saves listing them again.
        """
        return flow.statuses(agent, self.cache, held)

    def check_now(self, agent, cred_ids=None):
        """Check (the given or every) revocable credential now; return the newly revoked ids."""
        with self._lock:
            found, newly = flow.refresh(agent, self.cache, self.now(), cred_ids)
        return self._done(found, newly)

    def check_due(self, agent):
        """Re-check statuses older than `max_age`; return the newly revoked ids."""
        with self._lock:
            found, newly = flow.refresh_due(agent, self.cache, self.now(), max_age=self.max_age)
        return self._done(found, newly)

    def _done(self, found, newly):
        if self.on_checked is not None:
            self.on_checked(found)
        with self._checked:
            self.last_error = ""
            self._unseen += [c for c in newly if c not in self._unseen]
            self.checks += 1
            self._checked.notify_all()
        if newly and self.on_news is not None:
            self.on_news()
        return list(newly)

    @property
    def unseen(self):
        """Return the ids of credentials found revoked that the person was not told about."""
        with self._checked:
            return list(self._unseen)

    def take_unseen(self):
        """Return and forget the unseen newly revoked ids (the person is being told)."""
        with self._checked:
            taken, self._unseen = self._unseen, []
            return taken

    def wait_checks(self, count, timeout):
        """Block until `count` checks have finished (for tests and tools); return the count."""
        with self._checked:
            self._checked.wait_for(lambda: self.checks >= count, timeout)
            return self.checks

    # The timer

    @property
    def running(self):
        """Return True while the timer thread runs."""
        return self._timer is not None and self._timer.running

    def start(self, agent):
        """Check what is due now and then every `interval` s until `stop()`; no-op if off."""
        if not self.interval or self.running:
            return
        self._timer = Timer(
            self.interval, lambda: self._tick(agent), name="revocation-watch", at_start=True
        )
        self._timer.start()

    def stop(self):
        """Stop the timer and wait for a check in progress to finish."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.stop()

    def _tick(self, agent):
        try:
            self.check_due(agent)
        except WalletError as exc:
            self._failed(str(exc))
            LOG.warning("revocation check failed: %s", exc)
        except Exception:
            # A timer thread has nobody to raise to: keep the reason and log the traceback.
            self._failed("Unexpected error; the wallet log has the details.")
            LOG.exception("revocation check failed")

    def _failed(self, message):
        with self._checked:
            self.last_error = message
            self.checks += 1
            self._checked.notify_all()
