"""`tessera host`: run a hosted Tessera instance (the CLI's `host` command calls `serve`)."""

import contextlib
import os
import threading
from pathlib import Path

from ..agent.process import port_in_use
from ..errors import ConfigError
from ..secrets import ensure_private_dir, load_or_create
from .config import HostConfig
from .run import local_cluster, local_config, running

DATABASE_ENV = "TESSERA_HOST_DATABASE_URL"
AGENT_PASSWORD_ENV = "TESSERA_HOST_AGENT_DB_PASSWORD"


def operator_config(home, environ=None, **options):
    """Return the config of an instance on the operator's PostgreSQL.

    The database URL (with its password) comes from $TESSERA_HOST_DATABASE_URL or
    `<home>/secrets/host-database.url`; the agents' role password from
    $TESSERA_HOST_AGENT_DB_PASSWORD or `<home>/secrets/postgres.agent-password`: never
    from the command line.
    """
    environ = os.environ if environ is None else environ
    home = ensure_private_dir(home)
    url = environ.get(DATABASE_ENV) or _secret(home, "host-database.url")
    if not url:
        raise ConfigError(
            f"Tell the host its database: set {DATABASE_ENV} to "
            "postgresql://USER:PASS@HOST:PORT/DB or write it to "
            f"{home / 'secrets' / 'host-database.url'} (owner-only); "
            "or run `tessera host --local` for a cluster of its own."
        )
    password = environ.get(AGENT_PASSWORD_ENV) or load_or_create(
        home / "secrets", "postgres.agent-password"
    )
    return HostConfig(home=home, database_url=url, agent_db_password=password, **options)


def _secret(home, name):
    path = Path(home) / "secrets" / name
    return path.read_text().strip() if path.exists() else ""


@contextlib.contextmanager
def local_database(home, pg_port):
    """Run the data directory's own cluster (unless it already runs); yield it."""
    cluster = local_cluster(home, pg_port)
    started = not port_in_use(pg_port)
    if started:
        cluster.start()
    try:
        yield cluster
    finally:
        if started:
            cluster.stop()


def serve(config, port, stop_event, on_ready=None):
    """Serve one instance until `stop_event` is set; call `on_ready(instance, url)` once up."""
    with running(config, port) as (instance, url):
        if on_ready:
            on_ready(instance, url)
        stop_event.wait()


def serve_in_thread(config, port, on_ready):
    """Serve in a thread; return (thread, stop event)."""
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(config, port, stop, on_ready), daemon=True)
    thread.start()
    return thread, stop


__all__ = ["local_config", "local_database", "operator_config", "serve"]
