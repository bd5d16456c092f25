"""What travels: the person's rules and other Tessera files; a derived key for many backups."""

import stat

import pytest

from wallet.backup import WrongBackupPassphrase, create_backup, restore_backup
from wallet.backup.container import BackupKey, passphrase_opens, read_header
from wallet.backup.restore import unpack
from wallet.consent.policy import Policy
from wallet.holder.rules import RulesFile
from wallet.receipts.keys import KeyRing

from .conftest import FAST, PASSPHRASE

TESSERA = "agents/holder/tessera"


def _members(source, tmp_path):
    staging = tmp_path / "unpacked"
    staging.mkdir()
    unpack(source, PASSPHRASE, staging)
    return {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}


def test_rules_price_list_and_any_tessera_file_travel_but_half_written_ones_do_not(
    holder_home, empty_home, tmp_path
):
    data = holder_home.role_dir("holder") / "tessera"
    rules = RulesFile(data)
    rules.save(Policy().set_attribute("nationality", "allow"))
    (data / "price-list.json").write_text('{"version": 1}\n')
    (data / "receipts").mkdir()
    (data / "receipts" / "r1.json").write_text("{}\n")
    for leftover in (".rules-abc123", ".status-xyz", ".download-1", "api-tokens.tmp"):
        (data / leftover).write_text("half written\n")
    out = tmp_path / "w.tessera"
    create_backup(holder_home, out, PASSPHRASE, **FAST)
    names = _members(out, tmp_path)
    for wanted in ("disclosure-rules.json", "price-list.json", "receipts/r1.json"):
        assert f"{TESSERA}/{wanted}" in names
    assert not any(
        n.rsplit("/", 1)[-1].startswith((".rules-", ".status-", ".download-")) for n in names
    )
    assert f"{TESSERA}/api-tokens.tmp" not in names

    restore_backup(empty_home, out, PASSPHRASE)
    restored = RulesFile(empty_home.role_dir("holder") / "tessera").load()
    assert restored.attributes["nationality"] == "allow"
    assert restored == rules.load()


def test_receipt_keys_travel_and_come_back_owner_only(holder_home, empty_home, tmp_path):
    master = KeyRing(holder_home.role_dir("holder") / "tessera" / "keys", "holder")
    before = master.for_connection("conn-1").did
    out = tmp_path / "k.tessera"
    create_backup(holder_home, out, PASSPHRASE, **FAST)
    restore_backup(empty_home, out, PASSPHRASE)
    keys_dir = empty_home.role_dir("holder") / "tessera" / "keys"
    assert stat.S_IMODE((keys_dir / "holder.receipt-master").stat().st_mode) == 0o600
    # Same master, same pairwise did:key: firms' records of older receipts still match.
    assert KeyRing(keys_dir, "holder").for_connection("conn-1").did == before


def test_one_derived_key_seals_several_backups_each_opened_by_the_passphrase(holder_home, tmp_path):
    key = BackupKey(PASSPHRASE, scrypt_n=FAST["scrypt_n"])
    assert PASSPHRASE not in repr(key)
    outs = [tmp_path / f"{n}.tessera" for n in range(2)]
    for out in outs:
        create_backup(holder_home, out, key, chunk=FAST["chunk"])
    headers = []
    for out in outs:
        with open(out, "rb") as raw:
            headers.append(read_header(raw, out)[1])
    assert headers[0]["kdf"] == headers[1]["kdf"], "one derivation, one salt"
    assert headers[0]["nonce"] != headers[1]["nonce"], "each file has its own nonce prefix"
    for n, out in enumerate(outs):
        staging = tmp_path / f"s{n}"
        staging.mkdir()
        assert unpack(out, PASSPHRASE, staging)["format"] == 1
        assert passphrase_opens(out, PASSPHRASE)
        assert not passphrase_opens(out, "another passphrase")
    with pytest.raises(WrongBackupPassphrase):
        unpack(outs[0], "another passphrase", tmp_path)
