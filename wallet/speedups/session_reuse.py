"""A closed storage session is kept for the next one, on SQLite stores, instead of closed.

ACA-Py opens an Askar session for nearly every storage step (an exchange costs each
agent about 25) and closes it right after. Each open and each close is a call into
Askar that crosses three threads (the event loop, Askar's runtime, the SQLite
connection's worker) and back: `perf` on a loop of them found two thirds of their
CPU in the kernel, switching and waking threads. A session without a transaction
holds a pooled connection and nothing else (every statement commits on its own), so
the next plain session can use it as it is.

`install()` wraps `AskarAnonCredsProfileSession`: a plain session (not a transaction)
on a SQLite store takes an idle one if there is one, and on leaving its `async with`
keeps its Askar session for the next, up to `IDLE_MOST` per store profile; one idle
for more than `IDLE_SECONDS` is closed instead of reused. Transactions, sessions left
to the garbage collector, and PostgreSQL stores (a server may drop a connection held
idle) are ACA-Py's as before. The idle sessions are closed before their store closes
and before a profile is removed, so none outlives what it was opened on.
Unnecessary once ACA-Py or Askar pools sessions themselves (upstream
`askar/profile_anon.py`, `AskarAnonCredsProfileSession._setup` and `_teardown`).
"""

import collections
import functools
import time
import weakref

from acapy_agent.askar.profile_anon import AskarAnonCredsProfile, AskarAnonCredsProfileSession
from acapy_agent.askar.store import AskarOpenStore

IDLE_MOST = 4  # idle sessions kept per store profile (the pool lends up to 32 connections)
IDLE_SECONDS = 5.0

_idle = weakref.WeakKeyDictionary()  # Askar Store -> {profile id: deque[(session, since)]}
_clock = time.monotonic


def reusable(profile):
    """Whether plain sessions of `profile` may be kept for reuse (SQLite stores only)."""
    config = getattr(getattr(profile, "opened", None), "config", None)
    return getattr(config, "storage_type", None) == "sqlite"


def _kept(store, profile_id):
    return _idle.setdefault(store, {}).setdefault(profile_id, collections.deque())


class _Ready:
    """An idle session, awaitable where ACA-Py awaits its pending session."""

    is_transaction = False

    def __init__(self, session):
        self._session = session

    def __await__(self):
        return self._ready().__await__()

    async def _ready(self):
        return self._session


async def take(store, profile_id):
    """Return an idle session of the store profile (None when none); close stale ones."""
    kept = _kept(store, profile_id)
    while kept:
        session, since = kept.pop()  # the last kept: the least likely to be stale
        if _clock() - since <= IDLE_SECONDS:
            return session
        await session.close()
    return None


def give_back(store, profile_id, session):
    """Keep `session` for the next plain session; False when enough are kept already."""
    kept = _kept(store, profile_id)
    if len(kept) >= IDLE_MOST:
        return False
    kept.append((session, _clock()))
    return True


async def close_idle(store, profile_id=None):
    """Close the idle sessions of a store (of one profile of it, given `profile_id`)."""
    profiles = _idle.get(store) or {}
    for name in [profile_id] if profile_id is not None else list(profiles):
        kept = profiles.pop(name, None) or ()
        while kept:
            session, _ = kept.pop()
            await session.close()


def _originals():
    return {
        name: getattr(getattr(cls, name), "__wrapped__", getattr(cls, name))
        for cls, name in (
            (AskarAnonCredsProfileSession, "_setup"),
            (AskarAnonCredsProfileSession, "_teardown"),
            (AskarOpenStore, "close"),
            (AskarAnonCredsProfile, "remove"),
        )
    }


def install(clock=time.monotonic) -> None:
    """Wrap the session's setup and teardown, the store's close, the profile's removal."""
    global _clock
    _clock = clock
    original = _originals()

    @functools.wraps(original["_setup"])
    async def _setup(self):
        if self._opener is not None and not self._opener.is_transaction and reusable(self._profile):
            session = await take(self._profile.store, self._profile.profile_id)
            if session is not None:
                self._opener = _Ready(session)
        await original["_setup"](self)

    @functools.wraps(original["_teardown"])
    async def _teardown(self, commit=None):
        handle, profile = self._handle, self._profile
        if (
            commit is None
            and handle is not None
            and handle.handle is not None
            and not handle.is_transaction
            and reusable(profile)
            and profile.opened.store is not None
            and give_back(profile.store, profile.profile_id, handle)
        ):
            self._handle = None
            return
        await original["_teardown"](self, commit)

    @functools.wraps(original["close"])
    async def close(self):
        if self.store:
            await close_idle(self.store)
        await original["close"](self)

    @functools.wraps(original["remove"])
    async def remove(self):
        if self.profile_id and self.opened.store is not None:
            await close_idle(self.store, self.profile_id)
        await original["remove"](self)

    AskarAnonCredsProfileSession._setup = _setup
    AskarAnonCredsProfileSession._teardown = _teardown
    AskarOpenStore.close = close
    AskarAnonCredsProfile.remove = remove
