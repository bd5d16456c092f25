"""ACA-Py plugin: give an agent's SQLite store a connection pool that survives bursts.

ACA-Py 1.7.0 leaves some Askar sessions to the garbage collector instead of closing
them (inbound parsing, outbound encoding). With Askar's default SQLite pool (4 to 8
connections by CPU count) a burst of about 8 concurrent exchanges empties the pool
and the agent stops completing anything until sessions time out. ACA-Py exposes no
option for the SQLite pool size, so this plugin, loaded before the store is opened,
adds Askar's own `max_connections` parameter to the SQLite store URI.

Configure with `plugin-config-value: ["tessera_storage.sqlite_max_connections=N"]`.
"""

import functools
import urllib.parse

from acapy_agent.askar.store import AskarStoreConfig
from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.config.plugin_settings import PLUGIN_CONFIG_KEY

from ..errors import ConfigError

CONFIG_NAME = "tessera_storage"
DEFAULT_MAX_CONNECTIONS = 32


def pool_size(settings):
    """Return the configured SQLite pool size, or the default."""
    config = (settings.get(PLUGIN_CONFIG_KEY) or {}).get(CONFIG_NAME) or {}
    value = config.get("sqlite_max_connections", DEFAULT_MAX_CONNECTIONS)
    if not isinstance(value, int) or not 1 <= value <= 1024:
        raise ConfigError(
            f"{CONFIG_NAME}.sqlite_max_connections must be a whole number from 1 to 1024, "
            f"not {value!r}."
        )
    return value


def with_pool(uri, max_connections):
    """Return a SQLite store URI asking Askar for `max_connections` pooled connections."""
    if uri == "sqlite://:memory:":
        return uri
    base, _, query = uri.partition("?")
    params = dict(urllib.parse.parse_qsl(query))
    params["max_connections"] = str(max_connections)
    return f"{base}?{urllib.parse.urlencode(params)}"


def install(max_connections):
    """Make ACA-Py's SQLite URIs carry the pool size (idempotent)."""
    current = AskarStoreConfig._build_sqlite_uri
    original = getattr(current, "__wrapped__", current)

    @functools.wraps(original)
    def build(self, in_memory, create):
        return with_pool(original(self, in_memory, create), max_connections)

    AskarStoreConfig._build_sqlite_uri = build


async def setup(context: InjectionContext) -> None:
    """Install the pool size before ACA-Py opens the wallet (plugins load first)."""
    install(pool_size(context.settings))
