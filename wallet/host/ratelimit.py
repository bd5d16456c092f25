"""Rate limits on sign-up and login with Flask-Limiter, counted in PostgreSQL.

Flask-Limiter (on the `limits` library) keeps its counters in a storage chosen by URI;
`limits` has none for PostgreSQL, so `PostgresStorage` adds one (scheme
`tessera+postgresql://`) on the host's own table `rate_limits`. Every instance counts in
the same rows, so a flood spread over several instances is still one flood.
"""

import time
import typing

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import Storage

from .errors import StoreUnavailable

SCHEME = "tessera+postgresql"


class PostgresStorage(Storage):
    """Fixed-window counters in the host's `rate_limits` table."""

    STORAGE_SCHEME: typing.ClassVar = [SCHEME]

    def __init__(self, uri=None, wrap_exceptions=False, db=None, clock=time.time, **options):
        """Count in `db` (the host's `Database`); `clock()` gives seconds since the epoch."""
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.db = db
        self.clock = clock

    @property
    def base_exceptions(self):
        """Return the errors this storage raises when the database is down."""
        return StoreUnavailable

    def incr(self, key, expiry, amount=1):
        """Add `amount` to the counter of `key` (a new window after `expiry` seconds)."""
        now = self.clock()
        row = self.db.one(
            "INSERT INTO rate_limits (key, count, expires_at) VALUES (%(k)s, %(a)s, %(e)s) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN rate_limits.expires_at <= %(n)s THEN %(a)s "
            "ELSE rate_limits.count + %(a)s END, "
            "expires_at = CASE WHEN rate_limits.expires_at <= %(n)s THEN %(e)s "
            "ELSE rate_limits.expires_at END RETURNING count",
            {"k": key, "a": amount, "e": now + expiry, "n": now},
        )
        return row[0]

    def get(self, key):
        """Return the counter of `key` in its current window."""
        row = self.db.one(
            "SELECT count FROM rate_limits WHERE key = %s AND expires_at > %s", (key, self.clock())
        )
        return row[0] if row else 0

    def get_expiry(self, key):
        """Return when the window of `key` ends (seconds since the epoch)."""
        row = self.db.one("SELECT expires_at FROM rate_limits WHERE key = %s", (key,))
        return row[0] if row else self.clock()

    def check(self):
        """Return True when the database answers."""
        try:
            self.db.one("SELECT 1")
        except StoreUnavailable:
            return False
        return True

    def reset(self):
        """Forget every counter; return how many there were."""
        return self.db.run("DELETE FROM rate_limits")

    def clear(self, key):
        """Forget the counter of `key`."""
        self.db.run("DELETE FROM rate_limits WHERE key = %s", (key,))


def limiter_for(app, db):
    """Return a Flask-Limiter for `app` counting in `db` (nothing limited by default)."""
    return Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=f"{SCHEME}://",
        storage_options={"db": db},
        strategy="fixed-window",
        default_limits=[],
        # Off: the limiter would stamp its own Retry-After (its window's reset) on every
        # answer of a limited page, a "busy" 503 included; the host's pages set their own.
        headers_enabled=False,
    )
