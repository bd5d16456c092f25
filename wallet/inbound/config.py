"""What the `wallet.inbound` plugin needs to know, read once when the agent is built.

Nothing here must be configured by hand in the embedded deployment:
- the inbox is the agent's public endpoint (`--endpoint http://127.0.0.1:PORT/didcomm/<id>`),
  which names the inbox's address and the person's opaque id;
- the inbox's control key is the Tessera data directory's `secrets/inbox.control-key`;
  the data directory is the parent of the registry directory Tessera always passes
  (`tessera_registry.dir`).
Each can be set explicitly with `plugin-config-value: ["tessera_inbound.NAME=VALUE"]`
(`inbox_url`, `person_id`, `control_key_file`). An agent whose endpoint is not an
inbox (the firms', or a holder run without one) registers no keys.

Test-only: `test_hold_before_handler_s` / `test_hold_after_handler_s` make the transport
wait that long before dispatching a message / after its handler ran, so a test can kill
the agent inside that window deterministically.
"""

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from acapy_agent.config.plugin_settings import PLUGIN_CONFIG_KEY

from ..errors import ConfigError
from ..inbox.ids import PERSON_ID
from ..settings import Settings

LOG = logging.getLogger("tessera.inbound")
CONFIG_NAME = "tessera_inbound"
_INBOX_PATH = re.compile(r"^/didcomm/([A-Za-z0-9_-]+)/?$")
MAX_HOLD = 600.0


@dataclass(frozen=True)
class InboxLink:
    """Where the person's inbox takes key registrations, for whom, with which key."""

    url: str
    person_id: str
    control_key: str


@dataclass(frozen=True)
class InboundConfig:
    """The plugin's settings."""

    inbox: InboxLink | None = None
    hold_before_handler: float = 0.0
    hold_after_handler: float = 0.0


def _plugin_config(settings):
    config = (settings.get(PLUGIN_CONFIG_KEY) or {}).get(CONFIG_NAME) or {}
    if not isinstance(config, Mapping):
        raise ConfigError(f"{CONFIG_NAME} plugin settings must be NAME=VALUE pairs.")
    return config


def _seconds(config, name):
    value = config.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_HOLD:
        raise ConfigError(f"{CONFIG_NAME}.{name} must be a number of seconds from 0 to {MAX_HOLD}.")
    return float(value)


def _inbox_of_endpoint(endpoint):
    """Return (inbox base URL, person id) when `endpoint` is an inbox URL, else None."""
    try:
        parts = urlsplit(endpoint or "")
        match = _INBOX_PATH.match(parts.path)
    except (ValueError, TypeError):
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or not match:
        return None
    return f"{parts.scheme}://{parts.netloc}", match[1]


def _control_key(config, settings):
    path = config.get("control_key_file")
    if not path:
        registry = ((settings.get(PLUGIN_CONFIG_KEY) or {}).get("tessera_registry") or {}).get(
            "dir"
        )
        if not registry:
            return None
        path = Settings(home=Path(registry).parent).secrets_dir / "inbox.control-key"
    path = Path(path)
    try:
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"{path} is readable by others; run `chmod 600 {path}`.")
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def load(settings):
    """Return the `InboundConfig` of an agent's settings; raise `ConfigError` when malformed."""
    config = _plugin_config(settings)
    found = _inbox_of_endpoint(settings.get("default_endpoint"))
    url = config.get("inbox_url") or (found and found[0])
    person_id = config.get("person_id") or (found and found[1])
    inbox = None
    if url and person_id:
        if not PERSON_ID.match(str(person_id)):
            raise ConfigError(f"{CONFIG_NAME}: {person_id!r} is not an inbox id.")
        key = _control_key(config, settings)
        if key:
            inbox = InboxLink(str(url).rstrip("/"), str(person_id), key)
        else:
            LOG.warning(
                "The endpoint is an inbox but its control key is not readable; recipient keys "
                "are not registered and the inbox will refuse envelopes for new ones."
            )
    return InboundConfig(
        inbox,
        _seconds(config, "test_hold_before_handler_s"),
        _seconds(config, "test_hold_after_handler_s"),
    )
