"""Where Tessera keeps its data and which ports each role listens on.

Read when a command or app is built, never at import time.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

ROLES = ("issuer", "holder", "verifier")

HOST = "127.0.0.1"


def default_home(environ=None):
    """Return the data directory: $TESSERA_HOME or ~/.local/share/tessera."""
    environ = os.environ if environ is None else environ
    if environ.get("TESSERA_HOME"):
        return Path(environ["TESSERA_HOME"]).expanduser()
    return Path.home() / ".local" / "share" / "tessera"


@dataclass(frozen=True)
class Settings:
    """Tessera's runtime settings: data directory and the offset added to every port.

    `loopback_egress` lets the agents connect to loopback addresses: only the demo and
    test worlds (every party on this machine) set it; production never does.
    `agent_registry`, when set, adapts every agent a `Deployment` of these settings starts
    to another AnonCreds registry (see `Deployment`); the parties of a did:webvh world
    carry theirs here, so whatever starts their agents gets it.
    """

    home: Path
    port_offset: int = 0
    loopback_egress: bool = False
    agent_registry: object = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        """Accept a string for `home`."""
        object.__setattr__(self, "home", Path(self.home))

    def role_dir(self, role):
        """Return the directory holding one agent's home, store and logs."""
        return self.home / "agents" / role

    @property
    def registry_dir(self):
        """Return the embedded AnonCreds registry's directory, shared by all agents."""
        return self.home / "registry"

    @property
    def secrets_dir(self):
        """Return the owner-only directory holding generated keys."""
        return self.home / "secrets"


def from_env(home=None, port_offset=None, environ=None):
    """Build `Settings` from arguments, falling back to the environment."""
    environ = os.environ if environ is None else environ
    if port_offset is None:
        raw = environ.get("TESSERA_PORT_OFFSET", "0")
        try:
            port_offset = int(raw)
        except ValueError:
            raise ConfigError(f"TESSERA_PORT_OFFSET must be a whole number, not '{raw}'.") from None
    return Settings(home=Path(home) if home else default_home(environ), port_offset=port_offset)
