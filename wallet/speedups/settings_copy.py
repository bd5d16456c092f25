"""Settings copied as a dict, not key by key through Python calls.

ACA-Py 1.7.0 copies an agent's settings for every injection scope it starts: every
storage session, every request handled (`InjectionContext.copy`, `Injector.copy`,
`Settings(self.settings)`). `Settings.__init__` fills its dict with
`dict.update(values)`, and for a `Settings` (a mapping, not a dict) that walks the keys
and calls `Settings.__getitem__`, then `get_value`, in Python for each one: 64 us for
200 keys against 1 us for a dict copy, and about 4% of the holder's event loop at 16
proofs in flight.

`install()` replaces `Settings.__init__`: given a `Settings` itself (not a subclass,
which may answer `__getitem__` differently) it copies that object's dict, which holds
exactly what `__getitem__` returns for each of its keys; anything else is copied as
before. Unnecessary once ACA-Py copies the dict it holds (upstream `config/settings.py`,
`Settings.__init__`, or `Injector.copy` calling `Settings.copy`).
"""

import functools

from acapy_agent.config.settings import Settings


def original():
    """Return ACA-Py's own `Settings.__init__`."""
    current = Settings.__init__
    return getattr(current, "__wrapped__", current)


def init(self, values=None):
    """Hold a copy of `values` as ACA-Py's `Settings.__init__` does."""
    self._values = {}
    if values:
        self._values.update(values._values if type(values) is Settings else values)


def install() -> None:
    """Give `Settings` the dict copy (idempotent)."""
    Settings.__init__ = functools.wraps(original())(init)
