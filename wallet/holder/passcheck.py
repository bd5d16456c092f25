"""The passphrase verifier: every unlock is checked against a value derived from the passphrase.

The agent checks the passphrase only when it starts; while the wallet is unlocked the
agent is already running, so a second unlock must be checked by Tessera itself. The
verifier file (`passphrase-check.json`, next to `wallet.json`) holds a random salt, the
scrypt cost and scrypt(passphrase, salt) - never the passphrase. Comparison is
constant-time. A wallet set up before the verifier existed gets one at its next
unlock the agent accepted. The file travels in backups with the store it belongs to.
"""

import base64
import hashlib
import hmac
import secrets

from .. import durable

FILE = "passphrase-check.json"
SCRYPT_N = 2**15
SCRYPT_R = 8
SALT_BYTES = 16


def _derive(passphrase, salt, n):
    return hashlib.scrypt(
        passphrase.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=SCRYPT_R,
        p=1,
        maxmem=256 * SCRYPT_R * n,
        dklen=32,
    )


class PassphraseCheck:
    """The verifier of one wallet, stored in `data_dir`."""

    def __init__(self, data_dir, scrypt_n=None):
        """Keep the verifier in `data_dir`; `scrypt_n` sets the cost of new verifiers."""
        self.path = data_dir / FILE
        self.scrypt_n = scrypt_n or SCRYPT_N

    def _load(self):
        """Return (salt, check, n) of a well-formed verifier, or None (none, unreadable, odd)."""
        try:
            doc = durable.read_json(self.path, missing=None)
        except durable.CorruptFile:  # set aside: the next unlock the agent accepts makes a new one
            return None
        try:
            salt = base64.b64decode(doc["salt"], validate=True)
            check = base64.b64decode(doc["check"], validate=True)
            n = int(doc["n"])
        except (KeyError, TypeError, ValueError):
            return None
        if n < 2 or n & (n - 1) or n > 2**20 or len(check) != 32 or not salt:
            return None
        return salt, check, n

    @property
    def exists(self):
        """Return True when the wallet has a well-formed verifier."""
        return self._load() is not None

    def matches(self, passphrase):
        """Return True when `passphrase` derives the stored verifier (False when there is none)."""
        found = self._load()
        if found is None:
            return False
        salt, check, n = found
        return hmac.compare_digest(_derive(passphrase, salt, n), check)

    def save(self, passphrase):
        """Store a new verifier of `passphrase` (a fresh salt)."""
        salt = secrets.token_bytes(SALT_BYTES)
        durable.write_json(
            self.path,
            {
                "version": 1,
                "kdf": "scrypt",
                "n": self.scrypt_n,
                "r": SCRYPT_R,
                "p": 1,
                "salt": base64.b64encode(salt).decode(),
                "check": base64.b64encode(_derive(passphrase, salt, self.scrypt_n)).decode(),
            },
        )
