"""Run a host instance: `tessera host` (an operator's PostgreSQL) or `tessera host --local`.

`--local` is the newcomer's command: Tessera's own PostgreSQL cluster under the data
directory (made on first run, as an unprivileged user when started as root), the roles
and the host's database created, one instance serving on 127.0.0.1. Ctrl-C stops the
instance (every wallet locked, leases given back) and the cluster.
"""

import contextlib
import hashlib
import os
import threading
from dataclasses import replace
from pathlib import Path

import psycopg
from psycopg import sql
from werkzeug.serving import make_server

from ..errors import ConfigError
from ..secrets import ensure_private_dir, load_or_create
from ..settings import HOST
from .app import create_host_app
from .config import HostConfig
from .db import Database, ensure_agent_role
from .instance import Instance
from .moving import export_backup
from .pgcluster import LocalCluster

HOST_DB = "tessera_host"
LOCAL_PG_PORT = 5433


def cluster_dir(home):
    """Return where the local cluster lives: under the data directory, or (as root) beside it.

    PostgreSQL runs as `tessera-pg` under root, and cannot enter the owner-only data
    directory; its cluster then lives in /var/lib/tessera-host/<hash of the data directory>.
    """
    home = Path(home).resolve()
    if os.geteuid() != 0:
        return home / "postgres"
    tag = hashlib.sha256(str(home).encode()).hexdigest()[:12]
    return Path("/var/lib/tessera-host") / tag


def local_cluster(home, port=LOCAL_PG_PORT):
    """Return the local cluster of `home` (its superuser password made on first use)."""
    password = load_or_create(Path(home) / "secrets", "postgres.superuser-password")
    return LocalCluster(cluster_dir(home), port, password)


def prepare_database(cluster_url, agent_password, database=HOST_DB):
    """Create the host's database and the agents' role on a fresh cluster (idempotent)."""
    with psycopg.connect(cluster_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    db = Database(cluster_url)
    try:
        ensure_agent_role(db, agent_password)
    finally:
        db.close()


def local_config(home, cluster, **options):
    """Return the `HostConfig` of a local hosted Tessera on `cluster`."""
    home = ensure_private_dir(home)
    agent_password = load_or_create(home / "secrets", "postgres.agent-password")
    prepare_database(cluster.url(), agent_password)
    return HostConfig(
        home=home,
        database_url=cluster.url(HOST_DB),
        agent_db_password=agent_password,
        **options,
    )


def start_instance(config, schemas=None, **kwargs):
    """Start an instance with its web face; return (instance, WSGI app)."""
    instance = Instance(config, schemas=schemas, **kwargs)
    instance.exporter = export_backup
    instance.start()
    return instance, create_host_app(instance)


class Server:
    """The web face on 127.0.0.1:`port` in a thread."""

    def __init__(self, app, port):
        """Bind the port."""
        self._server = make_server(HOST, port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        """Return the base URL."""
        return f"http://{HOST}:{self._server.server_port}"

    def start(self):
        """Serve in a thread."""
        self._thread.start()
        return self

    def stop(self):
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def running(config, port, **kwargs):
    """Run an instance and its web face for the duration of the block; yield (instance, url)."""
    instance, app = start_instance(config, **kwargs)
    try:
        server = Server(app, port).start()
    except OSError as exc:
        instance.stop()
        raise ConfigError(f"Cannot serve on {HOST}:{port}: {exc.strerror}.") from exc
    try:
        yield instance, server.url
    finally:
        server.stop()
        instance.stop()


def with_instance(config, name):
    """Return `config` for another instance of the same host."""
    return replace(config, instance=name)
