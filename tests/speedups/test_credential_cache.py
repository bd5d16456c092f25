"""The read route's kept infos: answered while no credential was stored or deleted since."""

import contextlib
import json

import pytest
from acapy_agent.holder.routes import wallet_type_config

from wallet.speedups import credential_cache, routes
from wallet.speedups.credential_changes import changed

from .samples import run

PROFILE = "holder-profile"


class Entry:
    def __init__(self, raw_value):
        self.raw_value = raw_value


class Store:
    """A fake Askar: counts fetches; `during` runs inside the next fetch."""

    def __init__(self, stored):
        self.stored = dict(stored)
        self.fetched = []
        self.during = None

    async def fetch(self, category, cred_id):
        self.fetched.append(cred_id)
        if self.during is not None:
            self.during, during = None, self.during
            during()
        raw = self.stored.get(cred_id)
        return None if raw is None else Entry(raw)


class Profile:
    name = PROFILE

    def __init__(self, store):
        self.store = store

    @contextlib.asynccontextmanager
    async def session(self):
        yield type("Session", (), {"handle": self.store})()


class Request(dict):
    def __init__(self, profile, ids):
        context = type("Context", (), {"profile": profile})()
        context.settings = {wallet_type_config: "askar-anoncreds"}
        super().__init__(context=context)
        self._body = {"ids": ids}

    async def json(self):
        return self._body


@pytest.fixture
def store(monkeypatch):
    """Three stored credentials behind the route (its info is the id and raw value)."""
    credential_cache.forget()
    monkeypatch.setattr(routes.Credential, "load", staticmethod(lambda raw: raw))
    monkeypatch.setattr(routes, "_make_cred_info", lambda cred_id, raw: {"id": cred_id, "raw": raw})
    yield Store({"a": "A", "b": "B", "c": "C"})
    credential_cache.forget()


def read(store, ids):
    handler = routes.read_credentials.__wrapped__.__wrapped__  # past the auth decorators
    answer = run(handler(Request(Profile(store), ids)))
    return [r and r["raw"] for r in json.loads(answer.body)["results"]]


def store_or_delete():
    changed(PROFILE)


# (steps, fetched by the last read): each step reads ids, or changes the wallet.
CASES = {
    "first read fetches each": ([["a", "b"]], ["a", "b"]),
    "a second read fetches none": ([["a", "b"], ["b", "a"]], []),
    "only the ids not kept are fetched": ([["a"], ["a", "b", "a"]], ["b"]),
    "a store or deletion since empties what was kept": ([["a"], store_or_delete, ["a"]], ["a"]),
    "what is not stored is fetched again": ([["x"], ["x"]], ["x"]),
}


@pytest.mark.parametrize("name", CASES)
def test_reads_fetch_only_what_was_not_kept_since_the_last_change(store, name):
    steps, last_fetched = CASES[name]
    for step in steps:
        if callable(step):
            step()
            continue
        store.fetched.clear()
        assert read(store, step) == [store.stored.get(i) for i in step]
    assert store.fetched == last_fetched


def test_a_read_that_overlapped_a_change_is_answered_but_not_kept(store):
    store.during = store_or_delete
    assert read(store, ["a"]) == ["A"]
    store.fetched.clear()
    read(store, ["a"])
    assert store.fetched == ["a"]


def test_a_deletion_is_seen_once_it_has_ended(store):
    read(store, ["a", "b"])
    del store.stored["a"]  # deleted: the count moves when the deletion ends
    store_or_delete()
    assert read(store, ["a", "b"]) == [None, "B"]


def test_at_most_the_newest_kept(store, monkeypatch):
    monkeypatch.setattr(credential_cache, "MOST_KEPT", 2)
    read(store, ["a", "b", "c"])
    store.fetched.clear()
    read(store, ["a", "b", "c"])
    assert store.fetched == ["a"]


def test_each_profile_keeps_its_own(store):
    credential_cache.keep("other", credential_cache.count("other"), {"a": {"raw": "other's"}})
    assert read(store, ["a"]) == ["A"]
    assert credential_cache.cached("other", ["a"]) == {"a": {"raw": "other's"}}
