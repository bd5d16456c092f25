"""A fake agent inbound transport, passed to the inbox as its `post` function."""

import threading

from wallet.inbox.ack import PROCESSED
from wallet.inbox.delivery import Answer


class FakeAgent:
    """Records deliveries; answers `status` (None: unreachable) with an outcome, like the plugin.

    `rejects` maps a body to another status; `outcomes` maps a body to another outcome
    ('' answers like a stock ACA-Py: 200 with no confirmation).
    """

    def __init__(self, status=200, outcome=PROCESSED):
        """Start with every delivery answered `status` and confirmed with `outcome`."""
        self.status = status
        self.outcome = outcome
        self.rejects = {}
        self.outcomes = {}
        self.received = []
        self.attempts = []
        self._cond = threading.Condition()

    def __call__(self, url, body, content_type, delivery):
        """Take one delivery like the holder's inbound transport would."""
        status = self.rejects.get(body, self.status)
        outcome = self.outcomes.get(body, self.outcome)
        with self._cond:
            self.attempts.append(delivery)
            if status is not None and 200 <= status < 300:
                self.received.append((url, body, content_type))
            self._cond.notify_all()
        if status is None:
            return Answer(None, "ConnectError")
        if status >= 300:
            return Answer(status, "refused")
        return Answer(status, "OK", delivery if outcome else "", outcome)

    def wait_for(self, count, timeout=10.0):
        """Block until `count` deliveries arrived; return them."""
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.received) >= count, timeout), (
                f"only {len(self.received)} of {count} deliveries arrived"
            )
            return [body for _, body, _ in self.received]

    def wait_attempts(self, count, timeout=10.0):
        """Block until `count` delivery attempts were made (answered or not)."""
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.attempts) >= count, timeout), (
                f"only {len(self.attempts)} of {count} attempts were made"
            )
            return list(self.attempts)
