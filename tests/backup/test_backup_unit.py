"""Backup and restore without agents: round trip, what travels, and every bad input."""

import errno
import io
import socket
import struct
import tarfile

import pytest

from wallet.backup import (
    BackupWriteFailed,
    DamagedBackup,
    NewerFormat,
    NoWallet,
    WalletExists,
    WalletRunning,
    WrongBackupPassphrase,
    WrongWalletKey,
    create_backup,
    restore_backup,
)
from wallet.backup.container import MAGIC, SealedWriter
from wallet.backup.contents import store_file
from wallet.backup.restore import unpack
from wallet.errors import InputError
from wallet.settings import HOST

from .conftest import DEMO_KEY, FAST, PASSPHRASE, history_entries, read_store, tree_digest

HEADER_END = len(MAGIC) + 6  # magic + version + header length


@pytest.fixture(scope="module")
def good_backup(template_home, tmp_path_factory):
    """One backup of the template wallet, made once (Argon2i opens are slow)."""
    from wallet.settings import Settings

    out = tmp_path_factory.mktemp("good") / "wallet.tessera"
    create_backup(Settings(home=template_home), out, PASSPHRASE, **FAST)
    return out.read_bytes()


def _members(data, passphrase=PASSPHRASE, tmp_path=None):
    staging = tmp_path / "unpacked"
    staging.mkdir()
    source = tmp_path / "b.tessera"
    source.write_bytes(data)
    manifest = unpack(source, passphrase, staging)
    return manifest, {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}


def test_backup_holds_store_data_and_demo_key_but_no_run_files_or_logs(good_backup, tmp_path):
    manifest, names = _members(good_backup, tmp_path=tmp_path)
    assert manifest["wallet_key_included"] is True
    assert manifest["endpoint_kind"] == "inbox"
    assert "AbCdEfGhIjKlMnOpQrStUv" in manifest["endpoint"]
    assert names == {
        "agents/holder/home/.acapy_agent/wallet/holder/sqlite.db",
        "agents/holder/home/.indy_client/tails/abc123",
        "agents/holder/inbox-id",
        "agents/holder/tessera/history/history.anchor",  # no agent store here: a file
        "agents/holder/tessera/history/history.log",
        "agents/holder/tessera/history/history.salt",
        "agents/holder/tessera/policy.json",
        "agents/holder/tessera/wallet.json",
        "config/holder.yml",
        "secrets/holder.wallet-key",
    }


def test_restore_on_new_machine_brings_back_store_history_and_inbox_id(
    good_backup, holder_home, empty_home, tmp_path
):
    source = tmp_path / "b.tessera"
    source.write_bytes(good_backup)
    result = restore_backup(empty_home, source, PASSPHRASE)
    assert result.previous is None
    assert read_store(store_file(empty_home)) == {"cred-1": "national id", "cred-2": "income"}
    assert history_entries(empty_home) == history_entries(holder_home)
    for rel in ("agents/holder/inbox-id", "secrets/holder.wallet-key"):
        assert (empty_home.home / rel).read_text() == (holder_home.home / rel).read_text()
    assert (empty_home.home / "secrets/holder.wallet-key").stat().st_mode & 0o077 == 0
    assert not (empty_home.home / "agents/holder/run").exists()
    assert not list(empty_home.home.glob(".restore-*"))


def test_passphrase_wallet_key_is_not_stored_in_backup(holder_home, tmp_path):
    (holder_home.secrets_dir / "holder.wallet-key").unlink()
    out = tmp_path / "p.tessera"
    info = create_backup(holder_home, out, PASSPHRASE, wallet_key=DEMO_KEY, **FAST)
    manifest, names = _members(out.read_bytes(), tmp_path=tmp_path)
    assert info.wallet_key_included is False and manifest["wallet_key_included"] is False
    assert "secrets/holder.wallet-key" not in names
    assert DEMO_KEY.encode() not in out.read_bytes()


def _flip(data, at):
    data = bytearray(data)
    data[at] ^= 0x01
    return bytes(data)


def _newer(data):
    return data[: len(MAGIC)] + struct.pack(">H", 2) + data[len(MAGIC) + 2 :]


def _chunk_boundary(data):
    # FAST chunks are 1024 + 16 bytes; cut right after the first full chunk.
    header_len = struct.unpack(">I", data[len(MAGIC) + 2 : HEADER_END])[0]
    return data[: HEADER_END + header_len + 16 + 1040]


BAD_FILES = [
    ("wrong passphrase", lambda d: d, "not the passphrase", WrongBackupPassphrase),
    ("empty file", lambda d: b"", PASSPHRASE, DamagedBackup),
    ("not a backup", lambda d: b"PK\x03\x04" + d[4:], PASSPHRASE, DamagedBackup),
    ("truncated header", lambda d: d[:12], PASSPHRASE, DamagedBackup),
    ("truncated mid-file", lambda d: d[: len(d) // 2], PASSPHRASE, DamagedBackup),
    ("truncated at chunk boundary", _chunk_boundary, PASSPHRASE, DamagedBackup),
    ("last byte cut", lambda d: d[:-1], PASSPHRASE, DamagedBackup),
    ("trailing bytes", lambda d: d + b"x", PASSPHRASE, DamagedBackup),
    ("body byte altered", lambda d: _flip(d, len(d) // 2), PASSPHRASE, DamagedBackup),
    ("final tag altered", lambda d: _flip(d, len(d) - 1), PASSPHRASE, DamagedBackup),
    ("header altered", lambda d: _flip(d, HEADER_END + 30), PASSPHRASE, InputError),
    ("newer format", _newer, PASSPHRASE, NewerFormat),
]


@pytest.mark.parametrize("name,damage,passphrase,error", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_backup_is_refused_and_wallet_untouched(
    name, damage, passphrase, error, good_backup, holder_home, tmp_path
):
    source = tmp_path / "bad.tessera"
    source.write_bytes(damage(good_backup))
    before = tree_digest(holder_home.home)
    with pytest.raises(error) as caught:
        restore_backup(holder_home, source, passphrase, replace=True)
    assert str(source) in str(caught.value)
    assert tree_digest(holder_home.home) == before
    assert not list(holder_home.home.glob(".restore-*"))
    assert not list(holder_home.home.glob("before-restore-*"))


def _sealed_tar(path, members):
    with open(path, "wb") as raw:
        sealed = SealedWriter(raw, PASSPHRASE, "now", scrypt_n=2**10, chunk=1024)
        with tarfile.open(fileobj=sealed, mode="w|") as tar:
            for member, data in members:
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        sealed.finish()


@pytest.mark.parametrize(
    "members",
    [
        [("manifest.json", b"{}"), ("../../etc/evil", b"x")],
        [("manifest.json", b"{}"), ("secrets/holder.admin-api-key", b"x")],
        [("agents/holder/inbox-id", b"x")],
        [("manifest.json", b"{}"), ("agents/holder/inbox-id", b"x")],
        [("manifest.json", b"not json")],
    ],
    ids=["path traversal", "foreign secret", "no manifest first", "no store", "bad manifest"],
)
def test_authentic_but_wrong_content_is_refused(members, empty_home, tmp_path):
    source = tmp_path / "crafted.tessera"
    _sealed_tar(source, members)
    with pytest.raises(DamagedBackup):
        restore_backup(empty_home, source, PASSPHRASE)
    assert not (empty_home.home / "agents").exists()
    assert not (tmp_path / "etc").exists()


def test_restore_refuses_existing_wallet_unless_replace(good_backup, holder_home, tmp_path):
    source = tmp_path / "b.tessera"
    source.write_bytes(good_backup)
    before = tree_digest(holder_home.home)
    with pytest.raises(WalletExists, match="--replace"):
        restore_backup(holder_home, source, PASSPHRASE)
    assert tree_digest(holder_home.home) == before
    result = restore_backup(holder_home, source, PASSPHRASE, replace=True)
    kept = result.previous
    assert kept is not None and (kept / "agents/holder/logs/agent.log").exists()
    assert read_store(store_file(holder_home)) == read_store(
        kept / "agents/holder/home/.acapy_agent/wallet/holder/sqlite.db"
    )


def test_restore_refuses_while_holder_agent_runs(good_backup, empty_home, tmp_path):
    source = tmp_path / "b.tessera"
    source.write_bytes(good_backup)
    with socket.socket() as listener:
        # As holder_offset probed it: a connection of an earlier test left in TIME_WAIT
        # on this port must not make the bind fail (it did, in a run of several suites).
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, 8031 + empty_home.port_offset))
        listener.listen()
        with pytest.raises(WalletRunning, match="Lock the wallet"):
            restore_backup(empty_home, source, PASSPHRASE)


class FullDisk:
    """A file whose writes fail with ENOSPC once `room` bytes were written."""

    def __init__(self, path, room):
        self.handle = open(path, "xb")  # noqa: SIM115
        self.room = room

    def write(self, data):
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


@pytest.mark.parametrize("room", [0, 200, 4000])
def test_disk_full_during_export_keeps_earlier_backup(room, good_backup, holder_home, tmp_path):
    out = tmp_path / "wallet.tessera"
    out.write_bytes(good_backup)
    before = tree_digest(holder_home.home)
    with pytest.raises(BackupWriteFailed, match="disk is full"):
        create_backup(holder_home, out, PASSPHRASE, opener=lambda p: FullDisk(p, room), **FAST)
    assert out.read_bytes() == good_backup
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "wallet.tessera"]
    assert tree_digest(holder_home.home) == before
    assert not list(holder_home.home.glob(".tmp-backup-*"))


@pytest.mark.parametrize(
    "change,kwargs,error",
    [
        (None, {"wallet_key": "not the key"}, WrongWalletKey),
        ("no store", {}, NoWallet),
        (None, {"passphrase": "short"}, InputError),
        ("no key file", {}, InputError),
    ],
    ids=["wrong wallet key", "no wallet", "short passphrase", "passphrase key not given"],
)
def test_create_refuses_bad_input(change, kwargs, error, holder_home, tmp_path):
    if change == "no store":
        store_file(holder_home).unlink()
    if change == "no key file":
        (holder_home.secrets_dir / "holder.wallet-key").unlink()
    passphrase = kwargs.pop("passphrase", PASSPHRASE)
    with pytest.raises(error):
        create_backup(holder_home, tmp_path / "x.tessera", passphrase, **kwargs, **FAST)
    assert not (tmp_path / "x.tessera").exists()
