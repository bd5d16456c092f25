"""The sealed per-person store: durable's seam, the history log, fencing by lease."""

import datetime
import json

import pytest

from wallet import durable
from wallet.history import HistoryLog
from wallet.holder.rules import RulesFile
from wallet.holder.tokens import TokenStore
from wallet.host.accounts import Accounts
from wallet.host.db import Database
from wallet.host.errors import LeaseLost
from wallet.host.leases import Leases
from wallet.host.vault import MountedVault, SealedDamaged, Vault
from wallet.secrets import load_or_create

ROOT = "/dev/null/tessera-hosted/test"


def _clock():
    return datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def db(host_db):
    database = Database(host_db[0])
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def opened(db):
    return Accounts(db, scrypt_n=2**10).create("alice", "correct horse battery", None)


@pytest.fixture
def vault(db, opened):
    lease = Leases(db, "i-test", ttl=30).take(opened.account.id)
    v = Vault(db, opened.account.id, opened.keys.subkey("files"), lease)
    durable.mount(ROOT, MountedVault(v))
    yield v
    durable.unmount(ROOT)


def test_json_files_round_trip_sealed(vault, db):
    path = f"{ROOT}/agents/holder/tessera/price-list.json"
    durable.write_json(path, {"currency": "EUR", "city": "Zanzibar-by-the-Sea"})
    assert durable.read_json(path) == {"currency": "EUR", "city": "Zanzibar-by-the-Sea"}
    stored = db.one("SELECT sealed FROM person_files WHERE name LIKE %s", ("%price-list.json",))
    assert b"Zanzibar" not in bytes(stored[0])
    assert durable.update_json(path, lambda d: {**d, "n": 1}, missing={})["n"] == 1


def test_holder_modules_keep_their_files_in_the_vault(vault):
    data = f"{ROOT}/agents/holder/tessera"
    TokenStore(f"{data}/api-tokens.json", clock=_clock).create("laptop")
    assert len(TokenStore(f"{data}/api-tokens.json").list()) == 1
    RulesFile(data).update(lambda policy: policy)
    assert durable.exists(f"{data}/disclosure-rules.json")
    secret = load_or_create(f"{data}/keys", "holder.receipt-master")
    assert load_or_create(f"{data}/keys", "holder.receipt-master") == secret
    assert sorted(vault.names()) == [
        "agents/holder/tessera/api-tokens.json",
        "agents/holder/tessera/disclosure-rules.json",
        "agents/holder/tessera/keys/holder.receipt-master",
    ]


def test_history_log_appends_sealed_chunks_and_reads_them_back(vault, db):
    log = HistoryLog(
        f"{ROOT}/agents/holder/tessera/history", "pass phrase!", clock=_clock, scrypt_n=2**10
    )
    log.append("sent", "Verifier Ltd", revealed=["nationality"])
    log.extend([("declined", "Shop", {"reason": "too much"}), ("sent", "Bank", {})])
    again = HistoryLog(
        f"{ROOT}/agents/holder/tessera/history", "pass phrase!", clock=_clock, scrypt_n=2**10
    )
    assert [e.to for e in again.entries()] == ["Verifier Ltd", "Shop", "Bank"]
    rows = db.rows("SELECT sealed FROM person_chunks")
    assert len(rows) == 2 and all(b"Verifier" not in bytes(r[0]) for r in rows)


def test_a_corrupt_file_is_set_aside_not_replaced(vault):
    path = f"{ROOT}/agents/holder/tessera/rules.json"
    durable.write_bytes(path, b"{not json")
    with pytest.raises(durable.CorruptFile):
        durable.read_json(path, now=_clock)
    assert not durable.exists(path)
    assert vault.read("agents/holder/tessera/rules.json.corrupt-20260301T120000Z") == b"{not json"


def test_a_row_moved_to_another_name_does_not_open(vault, db):
    vault.write("agents/holder/a.json", b"{}")
    db.run("UPDATE person_files SET name = 'agents/holder/b.json'")
    with pytest.raises(SealedDamaged):
        vault.read("agents/holder/b.json")


def test_an_instance_that_lost_the_lease_writes_nothing(vault, db, opened):
    vault.write("agents/holder/a.json", b'{"v": 1}')
    db.run("UPDATE leases SET expires_at = now() - interval '1 second'")
    assert Leases(db, "i-other", ttl=30).take(opened.account.id) is not None
    with pytest.raises(LeaseLost):
        vault.write("agents/holder/a.json", b'{"v": 2}')
    with pytest.raises(LeaseLost):
        vault.append("agents/holder/x.log", b"line\n")
    assert json.loads(vault.read("agents/holder/a.json")) == {"v": 1}


def test_unmounted_paths_stay_on_disk(tmp_path, vault):
    durable.write_json(tmp_path / "x.json", {"a": 1})
    assert (tmp_path / "x.json").exists()
    assert vault.names() == []
