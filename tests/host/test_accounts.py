"""Accounts, leases and admission: names hashed, passphrases checked, one instance per person."""

import pytest

from wallet.errors import InputError
from wallet.host.accounts import Accounts, check_passphrase, normalise_name
from wallet.host.db import Database
from wallet.host.errors import BadCredentials, NameTaken
from wallet.host.leases import Leases


@pytest.fixture
def db(host_db):
    database = Database(host_db[0])
    database.migrate()
    yield database
    database.close()


@pytest.mark.parametrize(
    ("passphrase", "confirm", "problem"),
    [
        ("short", "short", "at least 10"),
        ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "too easy"),
        ("password123", "password123", "too easy"),
        ("my name is alice!", "my name is alice!", "must not contain your name"),
        ("long enough phrase", "long enough phrasE", "differ"),
    ],
)
def test_weak_or_mistyped_passphrases_are_refused_with_the_reason(passphrase, confirm, problem):
    with pytest.raises(InputError, match=problem):
        check_passphrase(passphrase, confirm, "alice")


@pytest.mark.parametrize("name", ["", "ab", "a" * 41, "bad name", "emoji🙂", "semi;colon"])
def test_bad_names_are_refused(name):
    with pytest.raises(InputError, match="3 to 40"):
        normalise_name(name)


def test_sign_up_then_log_in_and_names_are_kept_hashed(db):
    accounts = Accounts(db, scrypt_n=2**10)
    made = accounts.create("Alice.Smith", "correct horse battery")
    with pytest.raises(NameTaken):
        accounts.create("alice.smith", "another good phrase")
    opened = accounts.open("ALICE.SMITH", "correct horse battery")
    assert opened.account.id == made.account.id
    for wrong in (("alice.smith", "wrong horse battery"), ("bob", "correct horse battery")):
        with pytest.raises(BadCredentials, match="name or the passphrase is wrong"):
            accounts.open(*wrong)
    dump = repr(db.rows("SELECT * FROM accounts")).lower()
    assert "alice" not in dump and "horse" not in dump


def test_a_lease_is_held_by_one_instance_until_it_ends_or_runs_out(db):
    account = Accounts(db, scrypt_n=2**10).create("carol", "correct horse battery").account
    first, second = Leases(db, "i-a", ttl=30), Leases(db, "i-b", ttl=30)
    lease = first.take(account.id)
    assert lease is not None and second.take(account.id) is None
    assert second.holder(account.id).instance == "i-a"
    assert first.renew(lease)
    first.end(lease)
    taken = second.take(account.id)
    assert taken is not None and taken.epoch > lease.epoch
    assert not first.renew(lease)
    db.run("UPDATE leases SET expires_at = now() - interval '1 second'")
    assert first.take(account.id) is not None  # a dead instance's lease runs out
