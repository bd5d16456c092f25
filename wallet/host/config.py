"""A host instance's configuration, read when the instance is built (never at import time)."""

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..secrets import load_or_create
from .keys import SCRYPT_N
from .leases import DEFAULT_TTL


@dataclass(frozen=True)
class HostConfig:
    """Where the host keeps its files, how it reaches PostgreSQL, and its limits.

    `home`: the host's data directory (secrets, per-instance work folders, logs);
    `database_url`: the host's own database; `agent_db_password`: the password of the
    role the agents' stores use; `public_inbox_url`: where firms send messages (the
    load balancer's `/didcomm/`; default: this instance's own inbox face); `inbox_port`:
    this instance's inbox face on loopback; `max_people`: agents running at once on this
    instance; `agent_ports`: the first of the loopback ports its agents take (two each);
    `tick`: how often the sweeper renews leases and locks idle wallets (at most a quarter
    of `lease_ttl`); `trusted_proxies`: how many proxies (the load balancer) in front of
    the instance set `X-Forwarded-For`, so rate limits count each client, not the proxy
    (0: the header is ignored, as anyone can send it).
    """

    home: Path
    database_url: str
    agent_db_password: str
    public_inbox_url: str = ""
    instance: str = field(default_factory=lambda: "i-" + secrets.token_hex(4))
    inbox_port: int = 8135
    agent_ports: int = 9100
    max_people: int = 20
    lease_ttl: float = DEFAULT_TTL
    idle_timeout: float = 900.0
    tick: float = 5.0
    release_wait: float = 20.0
    loopback_egress: bool = False
    scrypt_n: int = SCRYPT_N
    agent_pool: int = 6
    agent_log_level: str = "warning"
    agent_timeout: float = 60.0
    registry: Path | None = None
    trusted_proxies: int = 0

    def __post_init__(self):
        """Check the database URL and fill in what depends on the rest."""
        object.__setattr__(self, "home", Path(self.home))
        parts = urlsplit(self.database_url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise ConfigError(
                "The host's database must be a postgresql://USER:PASS@HOST:PORT/DB URL."
            )
        object.__setattr__(self, "public_inbox_url", self.public_inbox_url.rstrip("/"))
        # Leases are renewed every lease_ttl / 3 at most: the sweeper must run at least that
        # often, or a short lease runs out between two sweeps while the wallet is open.
        object.__setattr__(self, "tick", min(float(self.tick), float(self.lease_ttl) / 4))

    @property
    def pg_host(self):
        """Return the database server's host (the agents connect there too)."""
        return urlsplit(self.database_url).hostname

    @property
    def pg_port(self):
        """Return the database server's port."""
        return urlsplit(self.database_url).port or 5432

    @property
    def secrets_dir(self):
        """Return the host's owner-only secrets (session key, inbox control key)."""
        return self.home / "secrets"

    @property
    def registry_dir(self):
        """Return the AnonCreds registry directory the agents read firms' objects from."""
        return Path(self.registry) if self.registry else self.home / "registry"

    @property
    def instance_dir(self):
        """Return this instance's own work folder (agents' run files, HOME and logs)."""
        return self.home / "instances" / self.instance

    @property
    def control_key_file(self):
        """Return the inbox control key's file (made on first use)."""
        load_or_create(self.secrets_dir, "inbox.control-key")
        return self.secrets_dir / "inbox.control-key"

    def secret_key(self):
        """Return the web session key every instance of this host shares."""
        return load_or_create(self.secrets_dir, "host-web.secret-key")
