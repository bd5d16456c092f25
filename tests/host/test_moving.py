"""Joining the host from a backup file: hostile or odd files refused with the reason, no agent."""

import io
import json
import tarfile

import pytest

from wallet.backup.container import SealedWriter
from wallet.backup.contents import KEY_MEMBER, MANIFEST, ROLE_MEMBER
from wallet.backup.errors import DamagedBackup
from wallet.errors import InputError
from wallet.host.accounts import Accounts
from wallet.host.app import index_tokens, token_hash
from wallet.host.db import Database
from wallet.host.moving import _new_tokens, _store_member, read_backup

PASSPHRASE = "the backup's own phrase 77"
NAME = "wallet-under-test"
MANIFEST_DATA = json.dumps({"format": 1, "wallet_name": NAME}).encode()


def _member(name, data=b"", kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, len(data)
    if kind == tarfile.SYMTYPE:
        info.linkname, info.size = "/etc/passwd", 0
    return info, io.BytesIO(data)


def _backup(path, members):
    """Write a sealed backup holding `members` [(name, bytes) or (name, bytes, tar type)]."""
    with open(path, "wb") as raw:
        sealed = SealedWriter(raw, PASSPHRASE, "2026-03-01T12:00:00+00:00", scrypt_n=2**10)
        with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for item in members:
                tar.addfile(*_member(*item))
        sealed.finish()
    return path


STORE = (_store_member(NAME), b"askar store bytes")


@pytest.mark.parametrize(
    ("members", "error", "message"),
    [
        ([STORE], DamagedBackup, "does not start with its manifest"),
        ([(MANIFEST, b"{not json")], DamagedBackup, "does not hold a readable wallet"),
        ([(MANIFEST, MANIFEST_DATA)], DamagedBackup, "holds no wallet store"),
        ([(MANIFEST, MANIFEST_DATA), ("../outside", b"x")], DamagedBackup, "unexpected entry"),
        ([(MANIFEST, MANIFEST_DATA), ("/etc/cron.d/x", b"x")], DamagedBackup, "unexpected"),
        (
            [(MANIFEST, MANIFEST_DATA), (f"{ROLE_MEMBER}/l", b"", tarfile.SYMTYPE)],
            DamagedBackup,
            "unexpected entry",
        ),
        ([(MANIFEST, MANIFEST_DATA), STORE, (KEY_MEMBER, b"k")], InputError, "generated demo key"),
    ],
)
def test_a_bad_backup_is_refused_with_the_reason(tmp_path, members, error, message):
    source = _backup(tmp_path / "b.tessera", members)
    with pytest.raises(error, match=message):
        read_backup(source, PASSPHRASE, tmp_path)


def test_a_backup_brings_the_wallet_s_files_but_not_its_run_files_or_inbox_id(tmp_path):
    members = [
        (MANIFEST, MANIFEST_DATA),
        STORE,
        (f"{ROLE_MEMBER}/tessera/disclosure-rules.json", b'{"version": 1}'),
        (f"{ROLE_MEMBER}/inbox-id", b"the old place's id"),
        (f"{ROLE_MEMBER}/run/args.yml", b"run file"),
        (f"{ROLE_MEMBER}/home/.indy_client/x", b"home file"),
    ]
    manifest, store, files = read_backup(
        _backup(tmp_path / "b.tessera", members), PASSPHRASE, tmp_path
    )
    assert manifest["wallet_name"] == NAME
    assert store.read_bytes() == b"askar store bytes"
    assert files == {f"{ROLE_MEMBER}/tessera/disclosure-rules.json": b'{"version": 1}'}


@pytest.fixture
def db(host_db):
    database = Database(host_db[0])
    database.migrate()
    yield database
    database.close()


@pytest.mark.parametrize(
    "data",
    [b"not json", b'{"tokens": []}', b'[{"id": "t1"}]', b'[{"hash": 7}]', b"\xff\xfe"],
)
def test_unreadable_api_tokens_make_the_backup_damaged(db, data):
    with pytest.raises(DamagedBackup, match="API tokens"):
        _new_tokens(db, data)


def test_tokens_still_routed_to_another_account_stay_with_it(db):
    other = Accounts(db, scrypt_n=2**10).create("old.place", "correct horse battery").account
    kept, taken = {"id": "a", "hash": token_hash("tsr_a")}, {"id": "b", "hash": token_hash("tsr_b")}
    index_tokens(db, other.id, [taken])
    assert _new_tokens(db, None) == (None, 0)
    assert _new_tokens(db, json.dumps([kept, taken]).encode()) == ([kept], 1)
    assert db.one("SELECT account FROM api_tokens WHERE hash = %s", (taken["hash"],))[0] == other.id
