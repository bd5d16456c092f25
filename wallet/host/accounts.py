"""Hosted accounts: sign up with a name and a passphrase, log in, and nothing readable kept.

The name is stored only as a hash (an operator browsing the tables sees no names); the
passphrase only through a key check (`keys`). A wrong passphrase and an unknown name get
the same answer, after the same slow key derivation.
"""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

import psycopg

from ..errors import InputError
from ..inbox.store import new_person_id
from .errors import BadCredentials, NameTaken
from .keys import SCRYPT_N, PersonKeys, new_salt

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_PASSPHRASE = 10
COMMON = {
    "passwordpassword",
    "password123",
    "1234567890",
    "123456789012",
    "qwertyuiop",
    "iloveyou123",
    "letmein1234",
    "abcdefghij",
    "0987654321",
    "passphrase",
}


def normalise_name(name):
    """Return the account name in one spelling (NFKC, lower case), or raise `InputError`."""
    text = unicodedata.normalize("NFKC", str(name or "")).strip().casefold()
    if not 3 <= len(text) <= 40 or not set(text) <= NAME_CHARS:
        raise InputError(
            "Choose a name of 3 to 40 letters (a-z), digits, dots, dashes or underscores."
        )
    return text


def name_hash(name):
    """Return what the database keeps of a name."""
    return hashlib.sha256(f"tessera-host-name:{normalise_name(name)}".encode()).hexdigest()


def check_passphrase(passphrase, confirm, name):
    """Refuse a weak passphrase (too short, too simple, common, or the name) or a mistyped one."""
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE:
        raise InputError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")
    if passphrase != confirm:
        raise InputError("The two passphrases differ; type the same one twice.")
    folded = passphrase.casefold()
    if len(set(folded)) < 5 or folded in COMMON:
        raise InputError(
            "That passphrase is too easy to guess; use several words or a mix of characters."
        )
    if normalise_name(name) in folded:
        raise InputError("Your passphrase must not contain your name.")


@dataclass(frozen=True)
class Account:
    """One account as the host knows it: ids only, nothing of the person's data."""

    id: str
    inbox_id: str
    db_name: str
    ready: bool


@dataclass(frozen=True)
class Opened:
    """A logged-in account: the account and the keys its passphrase gave."""

    account: Account
    keys: PersonKeys


class Accounts:
    """The accounts table."""

    def __init__(self, db, scrypt_n=SCRYPT_N):
        """Use `db`; `scrypt_n` is the key derivation's cost for new accounts (tests lower it)."""
        self.db = db
        self.scrypt_n = scrypt_n

    def create(self, name, passphrase, confirm=None):
        """Check and create an account (not ready until its wallet exists); return `Opened`."""
        check_passphrase(passphrase, passphrase if confirm is None else confirm, name)
        account_id = secrets.token_hex(12)
        salt = new_salt()
        keys = PersonKeys(account_id, passphrase, salt, self.scrypt_n)
        account = Account(account_id, new_person_id(), f"tw_{account_id}", False)
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO accounts (id, name_hash, salt, kdf_n, key_check, inbox_id, "
                    "db_name) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (
                        account.id,
                        name_hash(name),
                        salt,
                        self.scrypt_n,
                        keys.key_check(),
                        account.inbox_id,
                        account.db_name,
                    ),
                )
                conn.execute("INSERT INTO inbox_people (inbox_id) VALUES (%s)", (account.inbox_id,))
        except psycopg.errors.UniqueViolation:
            raise NameTaken() from None
        return Opened(account, keys)

    def mark_ready(self, account):
        """Record that the account's wallet was created."""
        self.db.run("UPDATE accounts SET ready = true WHERE id = %s", (account.id,))

    def remove(self, account):
        """Delete an account and everything the host keeps of it (its database apart)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM inbox_people WHERE inbox_id = %s", (account.inbox_id,))
            conn.execute("DELETE FROM accounts WHERE id = %s", (account.id,))

    def open(self, name, passphrase):
        """Return `Opened` for the right name and passphrase; `BadCredentials` otherwise."""
        try:
            hashed = name_hash(name)
        except InputError:
            hashed = None
        row = hashed and self.db.one(
            "SELECT id, salt, kdf_n, key_check, inbox_id, db_name, ready FROM accounts "
            "WHERE name_hash = %s",
            (hashed,),
        )
        if not row:
            PersonKeys("nobody", str(passphrase), new_salt(), self.scrypt_n)  # same time taken
            raise BadCredentials()
        account_id, salt, n, check, inbox_id, db_name, ready = row
        keys = PersonKeys(account_id, str(passphrase), salt, n)
        if not keys.opens(check):
            raise BadCredentials()
        return Opened(Account(account_id, inbox_id, db_name, ready), keys)

    def by_id(self, account_id):
        """Return an `Account` by id, or None."""
        row = self.db.one(
            "SELECT id, inbox_id, db_name, ready FROM accounts WHERE id = %s", (account_id,)
        )
        return None if row is None else Account(*row)
