"""The did:webvh registry's settings, read from the agent's plugin config when it starts.

In the agent's arg file, `plugin-config-value: ["tessera_webvh.KEY=VALUE", ...]`:

- `allow_loopback` (default false): test and demo configuration; loopback addresses and
  `*.localhost` names (mapped to 127.0.0.1 in process, never looked up in DNS) allowed.
- `ca_file`: PEM file of the certificates to trust for HTTPS (default: the system's).
- `cache_dir`: where verified resources and rollback watermarks are kept (the agent's
  own home); memory only when absent.
- `max_bytes` (default 8 MiB), `timeout` (default 10 s), `did_ttl` (default 300 s).
- Issuers only: `publish_dir`, the web root the issuer's server serves, and `host`, the
  issuer's public `host[:port][/path]`, from which its DID is made.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from acapy_agent.config.plugin_settings import PLUGIN_CONFIG_KEY

from ..errors import ConfigError, InputError
from .didres import DEFAULT_TTL
from .egress import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Policy
from .ids import check_host

CONFIG_NAME = "tessera_webvh"
TAILS_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Site:
    """Where an issuer publishes: host, port (None: 443) and path segments."""

    host: str
    port: int | None = None
    path: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "Site":
        """Parse `host[:port][/path...]`; InputError with what to write otherwise."""
        authority, *path = str(text).strip().strip("/").split("/")
        host, _, port_text = authority.partition(":")
        port = None
        if port_text:
            if not port_text.isdecimal() or not 0 < int(port_text) < 65536:
                raise InputError(f"{text!r}: the port must be a number from 1 to 65535")
            port = int(port_text)
        check_host(host)
        if any(not p or p in (".", "..") for p in path):
            raise InputError(f"{text!r}: the path has an empty or dot segment")
        return cls(host, port, tuple(path))

    def __str__(self) -> str:
        """Return `host[:port][/path]`."""
        authority = f"{self.host}:{self.port}" if self.port else self.host
        return "/".join((authority, *self.path))


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes"):
        return True
    if str(value).lower() in ("false", "0", "no", ""):
        return False
    raise ConfigError(f"{CONFIG_NAME}.allow_loopback must be true or false, not {value!r}")


@dataclass(frozen=True)
class WebvhConfig:
    """Settings of one agent's did:webvh registry."""

    policy: Policy = field(default_factory=Policy)
    ca_file: Path | None = None
    cache_dir: Path | None = None
    did_ttl: float = DEFAULT_TTL
    tails_max_bytes: int = TAILS_MAX_BYTES
    publish_dir: Path | None = None
    site: Site | None = None

    @classmethod
    def from_settings(cls, settings: Mapping) -> "WebvhConfig":
        """Read the plugin config; ConfigError naming the bad key."""
        raw = (settings.get(PLUGIN_CONFIG_KEY) or {}).get(CONFIG_NAME) or {}
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{CONFIG_NAME} settings must be KEY=VALUE pairs")
        try:
            policy = Policy(
                allow_loopback=_flag(raw.get("allow_loopback", False)),
                max_bytes=int(raw.get("max_bytes", DEFAULT_MAX_BYTES)),
                timeout=float(raw.get("timeout", DEFAULT_TIMEOUT)),
            )
            did_ttl = float(raw.get("did_ttl", DEFAULT_TTL))
            tails_max = int(raw.get("tails_max_bytes", TAILS_MAX_BYTES))
        except (TypeError, ValueError) as err:
            raise ConfigError(
                f"{CONFIG_NAME}: max_bytes and tails_max_bytes must be whole numbers, "
                f"timeout and did_ttl seconds ({err})"
            ) from err
        if policy.max_bytes <= 0 or policy.timeout <= 0 or tails_max <= 0 or did_ttl < 0:
            raise ConfigError(f"{CONFIG_NAME}: sizes and timeouts must be positive")
        site = None
        if raw.get("host"):
            try:
                site = Site.parse(raw["host"])
            except InputError as err:
                raise ConfigError(f"{CONFIG_NAME}.host: {err}") from err
        config = cls(
            policy=policy,
            ca_file=_path(raw.get("ca_file")),
            cache_dir=_path(raw.get("cache_dir")),
            did_ttl=did_ttl,
            tails_max_bytes=tails_max,
            publish_dir=_path(raw.get("publish_dir")),
            site=site,
        )
        if config.ca_file is not None and not config.ca_file.is_file():
            raise ConfigError(f"{CONFIG_NAME}.ca_file {config.ca_file} is not a file")
        if (config.publish_dir is None) != (config.site is None):
            raise ConfigError(
                f"An issuer sets both {CONFIG_NAME}.publish_dir and {CONFIG_NAME}.host; "
                "a holder or verifier sets neither"
            )
        return config


def _path(value) -> Path | None:
    return Path(str(value)).expanduser() if value else None
