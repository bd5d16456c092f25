"""A housekeeping timer: calls a function every `interval` seconds while the wallet is unlocked.

Tests leave it off (interval None) and call the function themselves with a moved clock.
The function may stop the timer from inside (an idle wallet locking itself).
"""

import logging
import threading

LOG = logging.getLogger("tessera.wallet")


class Timer:
    """Runs `tick()` every `interval` seconds on a daemon thread between `start` and `stop`."""

    def __init__(self, interval, tick, name="wallet-timer", at_start=False):
        """Use `interval` seconds (None or 0: never start) and the callable `tick`.

        With `at_start`, the first tick runs as soon as the timer starts.
        """
        self.interval = interval
        self.tick = tick
        self.name = name
        self.at_start = at_start
        self._thread = None
        self._stop = None

    @property
    def running(self):
        """Return True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        """Start ticking (no-op when off or already running)."""
        if not self.interval or self.running:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name=self.name, daemon=True
        )
        self._thread.start()

    def stop(self):
        """Stop ticking; waits for a tick in progress unless called from inside one."""
        thread, stop = self._thread, self._stop
        self._thread = self._stop = None
        if stop is not None:
            stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self, stop):
        if self.at_start:
            self._tick()
        while not stop.wait(self.interval):
            self._tick()

    def _tick(self):
        try:
            self.tick()
        except Exception:
            # A timer thread has nobody to raise to: log the traceback and keep ticking.
            LOG.exception("%s: tick failed", self.name)
