"""The backup file format: an authenticated header, then AES-256-GCM sealed chunks.

Layout: MAGIC (8 bytes), format version (u16), header length (u32), header JSON
(KDF name and parameters, salt, nonce prefix, chunk size), a 16-byte key check, then
chunks of `chunk` plaintext bytes + 16-byte tag. Every chunk's associated data is the
whole header; its nonce is the prefix, a counter and a flag marking the last chunk,
so reordering, truncation and any changed byte are all detected. The key comes from
the backup passphrase with scrypt (memory-hard). Only one chunk is in memory at once.
"""

import base64
import json
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import DamagedBackup, NewerFormat, WrongBackupPassphrase

MAGIC = b"TESSBAK\n"
FORMAT_VERSION = 1
TAG = 16
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
CHUNK = 1 << 20
MAX_HEADER = 4096
_N_RANGE = (2**10, 2**20)
_CHUNK_RANGE = (1 << 10, 1 << 24)
_NORMAL, _FINAL, _CHECK = 0, 1, 2
_FIXED = struct.Struct(">HI")


def _nonce(prefix, counter, flag):
    return prefix + counter.to_bytes(4, "big") + bytes([flag])


def _derive(passphrase, kdf):
    salt = base64.b64decode(kdf["salt"])
    scrypt = Scrypt(salt=salt, length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"])
    return AESGCM(scrypt.derive(passphrase.encode("utf-8")))


def _new_kdf(scrypt_n):
    return {
        "name": "scrypt",
        "n": scrypt_n,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(secrets.token_bytes(16)).decode(),
    }


class BackupKey:
    """A backup key derived once from a passphrase, to seal several backups without keeping it.

    Every file sealed with it shares the key's salt; each file still has its own random
    nonce prefix. Held in memory only (the wallet app keeps one while it is unlocked).
    """

    def __init__(self, passphrase, scrypt_n=SCRYPT_N):
        """Derive the key from `passphrase` with a fresh salt."""
        self.kdf = _new_kdf(scrypt_n)
        self.aead = _derive(passphrase, self.kdf)

    def __repr__(self):
        """Never show key material."""
        return "BackupKey(<derived>)"


def passphrase_opens(path, passphrase):
    """Return True when `passphrase` opens the backup at `path` (header and key check only)."""
    with open(path, "rb") as raw:
        try:
            SealedReader(raw, passphrase, path)
        except WrongBackupPassphrase:
            return False
    return True


class SealedWriter:
    """A write-only file object that seals what it is given into `raw`, chunk by chunk."""

    def __init__(self, raw, passphrase, created, scrypt_n=SCRYPT_N, chunk=CHUNK):
        """Write the header and key check to `raw` at once; `passphrase` may be a `BackupKey`."""
        self.raw = raw
        self.chunk = chunk
        self.prefix = secrets.token_bytes(7)
        if isinstance(passphrase, BackupKey):
            kdf, self._aead = passphrase.kdf, passphrase.aead
        else:
            kdf = _new_kdf(scrypt_n)
            self._aead = _derive(passphrase, kdf)
        body = json.dumps(
            {
                "cipher": "AES-256-GCM",
                "kdf": kdf,
                "nonce": base64.b64encode(self.prefix).decode(),
                "chunk": chunk,
                "created": created,
            },
            sort_keys=True,
        ).encode()
        self.header = MAGIC + _FIXED.pack(FORMAT_VERSION, len(body)) + body
        self._buffer = bytearray()
        self._counter = 0
        raw.write(self.header)
        raw.write(self._aead.encrypt(_nonce(self.prefix, 0, _CHECK), b"", self.header))

    def write(self, data):
        """Buffer `data`, sealing every full chunk; return its length."""
        self._buffer += data
        while len(self._buffer) > self.chunk:
            self._emit(bytes(self._buffer[: self.chunk]), _NORMAL)
            del self._buffer[: self.chunk]
        return len(data)

    def _emit(self, plain, flag):
        nonce = _nonce(self.prefix, self._counter, flag)
        self.raw.write(self._aead.encrypt(nonce, plain, self.header))
        self._counter += 1

    def finish(self):
        """Seal what is left as the final chunk (always shorter than a full one)."""
        if len(self._buffer) == self.chunk:
            self._emit(bytes(self._buffer), _NORMAL)
            self._buffer.clear()
        self._emit(bytes(self._buffer), _FINAL)
        self._buffer.clear()


def read_header(raw, path):
    """Read and check the header; return (header bytes, parsed fields)."""
    magic = raw.read(len(MAGIC))
    if magic != MAGIC:
        raise DamagedBackup(f"{path} is not a Tessera backup file; choose the file `.tessera`.")
    fixed = raw.read(_FIXED.size)
    if len(fixed) != _FIXED.size:
        raise DamagedBackup(f"{path} is truncated: its header is incomplete. Use another copy.")
    version, length = _FIXED.unpack(fixed)
    if version > FORMAT_VERSION:
        raise NewerFormat(path, version, FORMAT_VERSION)
    if version < 1 or length > MAX_HEADER:
        raise DamagedBackup(f"{path} has a damaged header. Use another copy of the backup.")
    body = raw.read(length)
    try:
        fields = json.loads(body)
        kdf = fields["kdf"]
        checks = (
            kdf["name"] == "scrypt",
            fields["cipher"] == "AES-256-GCM",
            _N_RANGE[0] <= kdf["n"] <= _N_RANGE[1] and kdf["n"] & (kdf["n"] - 1) == 0,
            1 <= kdf["r"] <= 16 and 1 <= kdf["p"] <= 4,
            _CHUNK_RANGE[0] <= fields["chunk"] <= _CHUNK_RANGE[1],
            len(base64.b64decode(fields["nonce"])) == 7,
            len(base64.b64decode(kdf["salt"])) >= 16,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DamagedBackup(f"{path} has a damaged header. Use another copy.") from exc
    if not all(checks):
        raise DamagedBackup(f"{path} has a header with unsupported or unsafe parameters.")
    return MAGIC + fixed + body, fields


class SealedReader:
    """A read-only file object giving the plaintext of a backup, checked chunk by chunk."""

    def __init__(self, raw, passphrase, path):
        """Read the header and check the passphrase against the key check."""
        self.raw = raw
        self.path = path
        self.header, self.fields = read_header(raw, path)
        self.prefix = base64.b64decode(self.fields["nonce"])
        self.chunk = self.fields["chunk"]
        self._aead = _derive(passphrase, self.fields["kdf"])
        check = raw.read(TAG)
        try:
            self._aead.decrypt(_nonce(self.prefix, 0, _CHECK), check, self.header)
        except InvalidTag:
            raise WrongBackupPassphrase(path) from None
        self._counter = 0
        self._plain = b""
        self._pos = 0
        self._done = False

    def _damaged(self):
        return DamagedBackup(
            f"{self.path} is truncated or was altered after it was written (chunk "
            f"{self._counter + 1} fails its check). Nothing was restored; use another copy."
        )

    def _next_chunk(self):
        sealed = self.raw.read(self.chunk + TAG)
        final = len(sealed) < self.chunk + TAG
        if final and len(sealed) < TAG:
            raise self._damaged()
        nonce = _nonce(self.prefix, self._counter, _FINAL if final else _NORMAL)
        try:
            plain = self._aead.decrypt(nonce, sealed, self.header)
        except InvalidTag:
            raise self._damaged() from None
        self._counter += 1
        if final:
            self._done = True
            if self.raw.read(1):
                raise DamagedBackup(f"{self.path} has data after its end; use another copy.")
        return plain

    def read(self, size=-1):
        """Return up to `size` plaintext bytes (all when negative); b'' at the checked end."""
        if size is None or size < 0:
            parts = [self._plain[self._pos :]]
            while not self._done:
                parts.append(self._next_chunk())
            self._plain, self._pos = b"", 0
            return b"".join(parts)
        while self._pos >= len(self._plain) and not self._done:
            self._plain, self._pos = self._next_chunk(), 0
        out = self._plain[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def drain(self):
        """Read to the end so that the final chunk is checked."""
        while self.read(self.chunk):
            pass
