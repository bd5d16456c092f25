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


class ClientBackoff:
    """Backoff per client (its address) and for everyone at once (`shared`).

    One client guessing is slowed after a few failures; many clients guessing together
    (or one changing address) are slowed by the shared backoff, which allows more free
    failures. At most `max_clients` addresses are remembered (the oldest are forgotten;
    the shared backoff still counts them).
    """

    def __init__(self, shared=None, clock=time.monotonic, free=2, max_clients=1024):
        """Start with no failures; `shared` defaults to a backoff allowing 10 free failures."""
        self.clock = clock
        self.shared = shared or Backoff(clock=clock, free=10)
        self.free = free
        self.max_clients = max_clients
        self._clients = {}
        self._lock = threading.Lock()

    def _of(self, client):
        with self._lock:
            found = self._clients.pop(client, None) or Backoff(clock=self.clock, free=self.free)
            self._clients[client] = found  # most recent last
            while len(self._clients) > self.max_clients:
                self._clients.pop(next(iter(self._clients)))
            return found

    def check(self, client=""):
        """Raise `TooManyAttempts` while this client, or everyone, must still wait."""
        self.shared.check()
        self._of(client).check()

    def failure(self, client=""):
        """Record a failed attempt by `client` (and for everyone)."""
        self.shared.failure()
        return self._of(client).failure()

    def success(self, client=""):
        """Forget this client's failures and the shared count."""
        self.shared.success()
        self._of(client).success()
