"""Keep one process running: notice its death, restart it with backoff, give up when it keeps dying.

`Supervisor` is the decision alone, driven by `poll()` and a clock passed in, so tests
step it without sleeping; `watch()` runs it in a daemon thread. A process that dies
soon after each (re)start (`fast_death` seconds) `max_fast_deaths` times in a row, or
that fails to start `max_failures` times in a row, is not restarted again: the
supervisor says so (`GAVE_UP`) and why, and the person or operator decides.
"""

import logging
import math
import threading
import time

from ..errors import WalletError

LOG = logging.getLogger("tessera.supervisor")

RUNNING, RESTARTING, GAVE_UP, STOPPED = "running", "restarting", "gave up", "stopped"
DELAYS = (0.0, 1.0, 2.0, 5.0, 10.0)
FAST_DEATH = 30.0
MAX_FAST_DEATHS = 5
MAX_FAILURES = 5
START_ESTIMATE = 5.0  # seconds an agent takes to be ready, until one restart measured it


class Supervisor:
    """The restart decisions for one process; `poll()` makes one step."""

    def __init__(
        self,
        name,
        alive,
        restart,
        clock=time.monotonic,
        delays=DELAYS,
        fast_death=FAST_DEATH,
        max_fast_deaths=MAX_FAST_DEATHS,
        max_failures=MAX_FAILURES,
    ):
        """Watch `alive()`; call `restart()` (raises a `WalletError` when it fails) to restart.

        The process is taken as just started. `delays[i]` is the wait before the
        (i+1)-th attempt in a row; the last one repeats.
        """
        self.name = name
        self._alive = alive
        self._restart = restart
        self.clock = clock
        self.delays = tuple(delays)
        self.fast_death = fast_death
        self.max_fast_deaths = max_fast_deaths
        self.max_failures = max_failures
        self.state = RUNNING
        self.restarts = 0  # successful restarts
        self.deaths = 0
        self.problem = ""  # why it gave up, or the last failed start
        self.last_ready_s = None  # how long the last restart took, death to ready
        self._fast_deaths = 0
        self._failures = 0
        self._started_at = clock()
        self._died_at = None
        self._next_try = None
        self._start_took = START_ESTIMATE

    def _delay(self, attempt):
        return self.delays[min(attempt, len(self.delays) - 1)]

    def poll(self):
        """Look at the process once, restart it when due; return the state."""
        if self.state == RUNNING:
            if self._alive():
                return RUNNING
            self._died(self.clock())
        if self.state == RESTARTING and self.clock() >= self._next_try:
            self._attempt()
        return self.state

    def _died(self, now):
        self.deaths += 1
        fast = now - self._started_at < self.fast_death
        self._fast_deaths = self._fast_deaths + 1 if fast else 1
        self._died_at = now
        if self._fast_deaths > self.max_fast_deaths:
            self._give_up(
                f"The {self.name} died {self._fast_deaths} times, each within "
                f"{self.fast_death:.0f} s of starting; it is not restarted again."
            )
            return
        LOG.warning("%s died; restarting it", self.name)
        self.state = RESTARTING
        self._failures = 0
        self._next_try = now + self._delay(self._fast_deaths - 1)

    def _attempt(self):
        began = self.clock()
        try:
            self._restart()
        except WalletError as exc:
            self._failures += 1
            self.problem = str(exc)
            LOG.error("%s restart failed (attempt %d): %s", self.name, self._failures, exc)
            if self._failures >= self.max_failures:
                self._give_up(
                    f"The {self.name} failed to start {self._failures} times in a row; "
                    f"it is not restarted again. Last error: {exc}"
                )
            else:
                self._next_try = self.clock() + self._delay(self._failures)
            return
        now = self.clock()
        self._start_took = now - began
        self.last_ready_s = now - self._died_at
        self.restarts += 1
        self.problem = ""
        self.state = RUNNING
        self._started_at = now
        LOG.info("%s restarted (%.1f s from death to ready)", self.name, self.last_ready_s)

    def _give_up(self, problem):
        self.state = GAVE_UP
        self.problem = problem
        LOG.error("%s", problem)

    def forgive(self):
        """Forget earlier fast deaths: the next death is judged alone, not as a crash loop.

        For deaths caused on purpose (a crash suite's kills come faster than
        `fast_death` apart, and its sixth would otherwise be taken for a crash loop).
        """
        self._fast_deaths = 0

    def retry_after(self):
        """Return whole seconds until the process should be back (at least 1)."""
        wait = 0.0
        if self.state == RESTARTING and self._next_try is not None:
            wait = max(0.0, self._next_try - self.clock())
        return max(1, math.ceil(wait + self._start_took))

    def stop(self):
        """Stop deciding (the owner is stopping the process on purpose)."""
        self.state = STOPPED


def watch(supervisor, interval=0.5, lock=None):
    """Poll `supervisor` every `interval` s in a daemon thread; return its stop `Event`.

    `lock` (optional) is held around each poll, so the owner can stop the process
    without racing a restart.
    """
    stopping = threading.Event()

    def loop():
        while not stopping.wait(interval):
            if lock is None:
                state = supervisor.poll()
            else:
                with lock:
                    if stopping.is_set():
                        return
                    state = supervisor.poll()
            if state in (GAVE_UP, STOPPED):
                return

    threading.Thread(target=loop, name=f"watch-{supervisor.name}", daemon=True).start()
    return stopping


class Watched:
    """A supervisor polled in its own thread, and the lock its restarts hold."""

    def __init__(self, name, alive, restart, interval=0.5, **options):
        """Start watching at once (the process taken as running); `options` go to `Supervisor`."""
        self.lock = threading.RLock()
        self.supervisor = Supervisor(name, alive, restart, **options)
        self._stopping = watch(self.supervisor, interval, self.lock)

    def stop(self):
        """Stop restarting; return once no restart is under way."""
        self._stopping.set()
        with self.lock:
            self.supervisor.stop()
