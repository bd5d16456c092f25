"""The host's tables in PostgreSQL and one pooled way to reach them.

Every value a person owns is sealed before it gets here (`vault`); these tables hold
ciphertext, hashes, random ids and timestamps. Every database fault becomes
`StoreUnavailable` ("nothing was lost, try again"), and the pool checks a connection
before lending it, so requests recover by themselves once PostgreSQL is back.
"""

import contextlib
import logging

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from .errors import StoreUnavailable

LOG = logging.getLogger("tessera.host")
AGENT_ROLE = "tessera_agent"

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id text PRIMARY KEY,
    name_hash text UNIQUE NOT NULL,
    salt bytea NOT NULL,
    kdf_n integer NOT NULL,
    key_check bytea NOT NULL,
    inbox_id text UNIQUE NOT NULL,
    db_name text UNIQUE NOT NULL,
    ready boolean NOT NULL DEFAULT false,
    created timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS person_files (
    account text NOT NULL REFERENCES accounts ON DELETE CASCADE,
    name text NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE IF NOT EXISTS person_chunks (
    account text NOT NULL REFERENCES accounts ON DELETE CASCADE,
    name text NOT NULL,
    seq integer NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (account, name, seq)
);
CREATE TABLE IF NOT EXISTS leases (
    account text PRIMARY KEY REFERENCES accounts ON DELETE CASCADE,
    instance text NOT NULL,
    epoch bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    hash text PRIMARY KEY,
    account text NOT NULL REFERENCES accounts ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS inbox_people (
    inbox_id text PRIMARY KEY,
    held boolean NOT NULL DEFAULT true
);
CREATE TABLE IF NOT EXISTS inbox_keys (
    inbox_id text NOT NULL REFERENCES inbox_people ON DELETE CASCADE,
    kid text NOT NULL,
    PRIMARY KEY (inbox_id, kid)
);
CREATE TABLE IF NOT EXISTS inbox_queue (
    inbox_id text NOT NULL REFERENCES inbox_people ON DELETE CASCADE,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    digest text NOT NULL,
    content_type text NOT NULL,
    kid text NOT NULL,
    size integer NOT NULL,
    body bytea NOT NULL,
    failure jsonb,
    PRIMARY KEY (inbox_id, seq),
    UNIQUE (inbox_id, digest)
);
CREATE TABLE IF NOT EXISTS inbox_delivered (
    inbox_id text NOT NULL REFERENCES inbox_people ON DELETE CASCADE,
    digest text NOT NULL,
    PRIMARY KEY (inbox_id, digest)
);
CREATE TABLE IF NOT EXISTS rate_limits (
    key text PRIMARY KEY,
    count integer NOT NULL,
    expires_at double precision NOT NULL
);
"""


class Database:
    """A pool of connections to the host's database (autocommit; transactions explicit)."""

    def __init__(self, url, max_size=10, timeout=5.0):
        """Open the pool lazily: the first call connects (a database that is down is no crash)."""
        self.url = url
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            timeout=timeout,
            kwargs={"autocommit": True, "connect_timeout": 5},
            check=ConnectionPool.check_connection,
            open=False,
            name="tessera-host",
        )
        self._opened = False

    @contextlib.contextmanager
    def connection(self):
        """Lend a connection; any database fault becomes `StoreUnavailable`."""
        if not self._opened:
            self.pool.open(wait=False)
            self._opened = True
        try:
            with self.pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as exc:
            LOG.warning("database unavailable: %s", type(exc).__name__)
            raise StoreUnavailable(str(exc)) from exc

    @contextlib.contextmanager
    def transaction(self):
        """Lend a connection inside one transaction (committed when the block ends)."""
        with self.connection() as conn, conn.transaction():
            yield conn

    def rows(self, query, params=()):
        """Run `query` and return every row."""
        with self.connection() as conn:
            return conn.execute(query, params).fetchall()

    def one(self, query, params=()):
        """Run `query` and return its first row, or None."""
        with self.connection() as conn:
            return conn.execute(query, params).fetchone()

    def run(self, query, params=()):
        """Run `query`; return the number of rows it touched."""
        with self.connection() as conn:
            return conn.execute(query, params).rowcount

    def migrate(self):
        """Create the host's tables when missing."""
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(7346757)")  # one instance at a time
            conn.execute(SCHEMA)

    def close(self):
        """Close every pooled connection."""
        if self._opened:
            self.pool.close(timeout=2.0)
            self._opened = False


def ensure_agent_role(db, password):
    """Create (or update) the login role the agents' stores use; it may not create databases."""
    with db.connection() as conn:
        found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (AGENT_ROLE,)).fetchone()
        verb = "ALTER" if found else "CREATE"
        conn.execute(
            sql.SQL("{} ROLE {} LOGIN NOCREATEDB NOCREATEROLE PASSWORD {}").format(
                sql.SQL(verb), sql.Identifier(AGENT_ROLE), sql.Literal(password)
            )
        )


def create_person_database(db, name):
    """Create a person's own database, owned by the agents' role."""
    with db.connection() as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(AGENT_ROLE)
            )
        )


def drop_person_database(db, name):
    """Drop a person's database (sign-up undone, account removed)."""
    with db.connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
