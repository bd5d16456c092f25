"""Plain storage sessions reuse the Askar session the last one left, on SQLite stores."""

import asyncio
from types import SimpleNamespace

import pytest
from acapy_agent.askar.profile_anon import AskarAnonCredsProfile
from acapy_agent.askar.store import AskarStoreConfig
from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.storage.base import BaseStorage
from acapy_agent.storage.error import StorageDuplicateError
from acapy_agent.storage.record import StorageRecord
from aries_askar import bindings
from aries_askar.store import Session

from wallet.askar_pool import with_pool
from wallet.speedups import session_reuse

from .samples import run

KEY = "5BngFuBpS4wjFfVFCtPqoix3ZXG2XR8XJ7qosUzMak7R"  # ACA-Py's test key (raw)


class Counted:
    """Askar session starts and closes, counted."""

    def __init__(self, monkeypatch):
        self.starts = self.closes = 0
        start, close = bindings.session_start, Session.close

        async def counted_start(*args, **kwargs):
            self.starts += 1
            return await start(*args, **kwargs)

        async def counted_close(session):
            self.closes += 1
            return await close(session)

        monkeypatch.setattr(bindings, "session_start", counted_start)
        monkeypatch.setattr(Session, "close", counted_close)


@pytest.fixture
def askar(speedups, monkeypatch, tmp_path):
    """The speed-ups installed, SQLite stores under `tmp_path` with a pool of 32 (as the
    agents have it, `wallet.askar_pool`), Askar's session starts and closes counted."""
    monkeypatch.setenv("ACAPY_HOME", str(tmp_path))
    build = AskarStoreConfig._build_sqlite_uri

    def pooled(self, in_memory, create):
        return with_pool(build(self, in_memory, create), 32)

    monkeypatch.setattr(AskarStoreConfig, "_build_sqlite_uri", pooled)
    return Counted(monkeypatch)


async def _profile():
    config = AskarStoreConfig(
        {"name": "reuse", "key": KEY, "key_derivation_method": "RAW", "auto_recreate": True}
    )
    opened = await config.open_store(provision=True)
    context = InjectionContext(settings={"wallet.type": "askar-anoncreds"})
    return AskarAnonCredsProfile(opened=opened, context=context)


async def _put(profile, name, value="v"):
    async with profile.session() as session:
        await session.inject(BaseStorage).add_record(StorageRecord("t", value, id=name))


async def _get(profile, name):
    async with profile.session() as session:
        return (await session.inject(BaseStorage).get_record("t", name)).value


def test_plain_sessions_one_after_another_share_one_askar_session(askar):
    async def scenario():
        profile = await _profile()
        for i in range(5):
            await _put(profile, f"r{i}", f"v{i}")
        found = [await _get(profile, f"r{i}") for i in range(5)]
        await profile.close()
        return found

    assert run(scenario()) == [f"v{i}" for i in range(5)]
    assert askar.starts == 1
    assert askar.closes == 1  # at the store's close


def test_transactions_are_never_kept(askar):
    async def scenario():
        profile = await _profile()
        for i in range(3):
            async with profile.transaction() as txn:
                await txn.inject(BaseStorage).add_record(StorageRecord("t", "v", id=f"t{i}"))
                await txn.commit()
        await _put(profile, "plain")
        await _put(profile, "plain again")
        await profile.close()

    run(scenario())
    assert askar.starts == 3 + 1


def test_sessions_open_together_each_have_their_own_and_a_few_are_kept(askar):
    opened = session_reuse.IDLE_MOST + 2

    async def scenario():
        profile = await _profile()
        inside, release = asyncio.Barrier(opened + 1), asyncio.Event()

        async def hold(i):
            async with profile.session() as session:
                await session.inject(BaseStorage).add_record(StorageRecord("t", "v", id=f"h{i}"))
                await inside.wait()
                await release.wait()

        tasks = [asyncio.create_task(hold(i)) for i in range(opened)]
        await inside.wait()
        together = askar.starts
        release.set()
        await asyncio.gather(*tasks)
        closed_on_leaving = askar.closes
        for i in range(session_reuse.IDLE_MOST):
            await _get(profile, f"h{i}")
        after = askar.starts
        await profile.close()
        return together, closed_on_leaving, after

    together, closed_on_leaving, after = run(scenario())
    assert together == opened
    assert closed_on_leaving == opened - session_reuse.IDLE_MOST
    assert after == opened  # the kept ones served the next sessions
    assert askar.closes == opened


def test_a_session_idle_too_long_is_closed_not_reused(askar, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(session_reuse, "_clock", lambda: now[0])

    async def scenario():
        profile = await _profile()
        await _put(profile, "a")
        now[0] += session_reuse.IDLE_SECONDS + 0.1
        found = await _get(profile, "a")
        await profile.close()
        return found

    assert run(scenario()) == "v"
    assert (askar.starts, askar.closes) == (2, 2)


def test_a_failed_step_leaves_the_kept_session_usable(askar):
    async def scenario():
        profile = await _profile()
        await _put(profile, "once")
        with pytest.raises(StorageDuplicateError):
            await _put(profile, "once")
        await _put(profile, "twice")
        found = await _get(profile, "twice")
        await profile.close()
        return found

    assert run(scenario()) == "v"
    assert askar.starts == 1


def test_closing_the_store_closes_the_kept_sessions_first(askar):
    async def scenario():
        profile = await _profile()
        await _put(profile, "a")
        store = profile.store
        await asyncio.wait_for(profile.close(), 10)  # a pool waits for what it lent
        return store

    store = run(scenario())
    assert askar.closes == 1
    assert not session_reuse._idle.get(store)


@pytest.mark.parametrize(
    ("opened", "kept"),
    [
        (SimpleNamespace(config=SimpleNamespace(storage_type="sqlite")), True),
        (SimpleNamespace(config=SimpleNamespace(storage_type="postgres")), False),
        (None, False),  # a closed profile
    ],
)
def test_only_sqlite_stores_keep_sessions(opened, kept):
    assert session_reuse.reusable(SimpleNamespace(opened=opened)) is kept
