"""API bearer tokens: created and revoked by the person; only their SHA-256 is stored."""

import datetime
import hashlib
import hmac
import secrets
from pathlib import Path

from .. import durable
from ..errors import InputError, NotFound
from ..secrets import ensure_private_dir

PREFIX = "tsr_"
ADVICE = "every API token is refused until you fix it and move it back, or make new tokens."


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


class TokenStore:
    """Tokens kept as hashes in an owner-only JSON file."""

    def __init__(self, path, clock=_utcnow):
        """Use `path` (created on first token)."""
        self.path = Path(path)
        self.clock = clock

    def _read(self):
        return durable.read_json(self.path, missing=[], advice=ADVICE)

    def _update(self, change):
        ensure_private_dir(self.path.parent)
        return durable.update_json(self.path, change, missing=[], advice=ADVICE, indent=1)

    def list(self):
        """Return the tokens' id, name and creation time (never the token)."""
        return [{k: t[k] for k in ("id", "name", "created")} for t in self._read()]

    def create(self, name):
        """Create a token named `name`; return (id, token). The token is shown once."""
        name = (name or "").strip()
        if not name or len(name) > 60:
            raise InputError("Name the token (1 to 60 characters), e.g. 'my laptop script'.")
        token = PREFIX + secrets.token_urlsafe(32)
        token_id = secrets.token_hex(4)
        created = self.clock().isoformat(timespec="seconds")
        item = {"id": token_id, "name": name, "created": created, "hash": _hash(token)}
        self._update(lambda items: [*items, item])
        return token_id, token

    def revoke(self, token_id):
        """Revoke a token by id."""

        def without(items):
            kept = [t for t in items if t["id"] != token_id]
            if len(kept) == len(items):
                raise NotFound(f"No API token {token_id}.")
            return kept

        self._update(without)

    def verify(self, token):
        """Return the token's id when `token` is valid, else None."""
        if not token or not token.startswith(PREFIX):
            return None
        digest = _hash(token)
        for item in self._read():
            if hmac.compare_digest(item["hash"], digest):
                return item["id"]
        return None
