"""Keys a hosted person's passphrase opens: derived at login, held in memory, never stored.

scrypt turns the passphrase and the account's random salt into a master secret; HKDF
derives one key per purpose from it. The account row keeps only the salt, the cost and a
*key check* (a constant sealed with the check key): a wrong passphrase is told apart
without starting an agent, and nothing in the row opens anything.
"""

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

SCRYPT_N = 2**15
CHECK = b"tessera-host-key-check:v1"


def new_salt():
    """Return a fresh random salt."""
    return secrets.token_bytes(16)


class PersonKeys:
    """The keys of one logged-in person (in memory only)."""

    def __init__(self, account, passphrase, salt, n=SCRYPT_N):
        """Derive the master secret (scrypt, the slow step) and remember the account."""
        self.account = account
        self._master = Scrypt(salt=bytes(salt), length=32, n=n, r=8, p=1).derive(
            passphrase.encode("utf-8")
        )

    def subkey(self, purpose):
        """Return the 32-byte key for `purpose` ('files', 'check')."""
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"tessera-host",
            info=f"{purpose}:{self.account}".encode(),
        ).derive(self._master)

    def key_check(self):
        """Return a new key check to store with the account."""
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self.subkey("check")).encrypt(nonce, CHECK, self.account.encode())

    def opens(self, key_check):
        """Return True when these keys open the stored `key_check` (the passphrase is right)."""
        data = bytes(key_check)
        try:
            plain = AESGCM(self.subkey("check")).decrypt(
                data[:12], data[12:], self.account.encode()
            )
        except (InvalidTag, ValueError):
            return False
        return plain == CHECK

    def __repr__(self):
        """Never show a key."""
        return f"PersonKeys({self.account!r})"
