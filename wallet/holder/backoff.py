"""Slow down repeated wrong passphrases: exponential backoff with a clock passed in."""

import threading
import time

from .errors import TooManyAttempts


class Backoff:
    """After `free` failures, each further attempt waits base * 2**k seconds (capped)."""

    def __init__(self, clock=time.monotonic, free=2, base=1.0, cap=300.0):
        """Start with no failures."""
        self.clock = clock
        self.free = free
        self.base = base
        self.cap = cap
        self.failures = 0
        self._not_before = 0.0
        self._lock = threading.Lock()

    def check(self):
        """Raise `TooManyAttempts` while the next attempt must still wait."""
        with self._lock:
            wait = self._not_before - self.clock()
        if wait > 0:
            raise TooManyAttempts(wait)

    def failure(self):
        """Record a failed attempt and push the next allowed time out."""
        with self._lock:
            self.failures += 1
            extra = self.failures - self.free
            delay = 0.0 if extra <= 0 else min(self.cap, self.base * 2 ** (extra - 1))
            self._not_before = self.clock() + delay
            return delay

    def success(self):
        """Forget past failures."""
        with self._lock:
            self.failures = 0
            self._not_before = 0.0
