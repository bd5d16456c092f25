"""A fake agent inbound transport, passed to the inbox as its `post` function."""

import threading

from wallet.inbox.delivery import Answer


class FakeAgent:
    """Records deliveries; answers with `status` (None: unreachable) or per-body overrides."""

    def __init__(self, status=200):
        """Start with every delivery answered `status`."""
        self.status = status
        self.rejects = {}
        self.received = []
        self._cond = threading.Condition()

    def __call__(self, url, body, content_type):
        """Take one delivery like an agent's inbound transport would."""
        status = self.rejects.get(body, self.status)
        if status is not None and 200 <= status < 300:
            with self._cond:
                self.received.append((url, body, content_type))
                self._cond.notify_all()
        return Answer(status, "" if status is None or status < 300 else "refused")

    def wait_for(self, count, timeout=10.0):
        """Block until `count` deliveries arrived; return them."""
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.received) >= count, timeout), (
                f"only {len(self.received)} of {count} deliveries arrived"
            )
            return [body for _, body, _ in self.received]
