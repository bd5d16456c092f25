"""Fixtures for the hosted Tessera: a throwaway PostgreSQL cluster and fresh host databases.

The cluster is started by the tests themselves (`initdb` in a temporary directory, as the
unprivileged user `tessera-pg` when the tests run as root) on a loopback port in
57000-57999, and stopped at the end. Without PostgreSQL the tests skip, saying what to
install; in CI (`TESSERA_REQUIRE_POSTGRES=1`) they fail instead.
"""

import os
import secrets
import shutil
import tempfile

import psycopg
import pytest

from wallet.agent.process import port_in_use
from wallet.errors import ConfigError
from wallet.host.pgcluster import LocalCluster, pg_bin
from wallet.host.run import prepare_database

PG_PORTS = range(57000, 58000)
_next_ports = [int(os.environ.get("TESSERA_TEST_PORT_BASE", "20000")) + 2500]


def host_ports(count=80):
    """Return the first of `count` loopback ports no other host test in this run uses."""
    first = _next_ports[0]
    _next_ports[0] += count
    return first


def free_pg_port():
    """Return a free loopback port for a PostgreSQL cluster."""
    for port in PG_PORTS:
        if not port_in_use(port):
            return port
    raise RuntimeError("No free port in 57000-57999 for a PostgreSQL test cluster.")


def require_postgres():
    """Skip (fail in CI: $TESSERA_REQUIRE_POSTGRES) when PostgreSQL is not installed."""
    try:
        pg_bin()
    except ConfigError as exc:
        if os.environ.get("TESSERA_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL is not installed: {exc}")


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the session (stopped and deleted at the end)."""
    require_postgres()
    directory = tempfile.mkdtemp(prefix="tessera-pg-")
    cluster = LocalCluster(directory, free_pg_port(), secrets.token_urlsafe(16), durable=False)
    cluster.agent_password = secrets.token_urlsafe(16)  # one role for the whole cluster
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def new_host_db(pg_cluster):
    """Create a fresh host database; return (its URL, the agents' password, its name)."""
    name = "th_" + secrets.token_hex(6)
    prepare_database(pg_cluster.url(), pg_cluster.agent_password, database=name)
    return pg_cluster.url(name), pg_cluster.agent_password, name


@pytest.fixture(scope="session")
def firms(tmp_path_factory):
    """A seeded issuer and a verifier on loopback, shared by the hosted tests."""
    from conftest import free_port_offset

    from .hosting import running_firms

    with running_firms(tmp_path_factory.mktemp("firms"), free_port_offset()) as world:
        yield world


@pytest.fixture
def host_db(pg_cluster):
    """A fresh host database on the session's cluster: (database URL, agents' password)."""
    name = "th_" + secrets.token_hex(6)
    agent_password = pg_cluster.agent_password
    prepare_database(pg_cluster.url(), agent_password, database=name)
    yield pg_cluster.url(name), agent_password
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
