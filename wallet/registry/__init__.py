"""Ledger-less AnonCreds registry for ACA-Py, loaded with `--plugin wallet.registry`.

Configure the shared registry directory in the agent's arg file:
`plugin-config-value: ["tessera_registry.dir=/path/to/registry"]`.
The plugin also replaces ACA-Py's tails download with a safe one (`tails_fetch`).
"""

import os
from collections.abc import Mapping
from pathlib import Path

from acapy_agent.anoncreds.registry import AnonCredsRegistry
from acapy_agent.config.base import BaseSettings
from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.config.plugin_settings import PLUGIN_CONFIG_KEY

from ..errors import ConfigError
from .plugin import TesseraRegistry
from .store import DirectoryStore
from .tails_fetch import install as install_safe_tails_fetch
from .tails_fetch import limits as tails_limits

CONFIG_NAME = "tessera_registry"
_HOW_TO = f'set plugin-config-value: ["{CONFIG_NAME}.dir=/path/to/registry"] in the arg file'


def registry_dir(settings: BaseSettings | Mapping) -> Path:
    """Return the configured registry directory, created if missing; ConfigError if unusable."""
    config = (settings.get(PLUGIN_CONFIG_KEY) or {}).get(CONFIG_NAME)
    if not isinstance(config, Mapping) or not config.get("dir"):
        raise ConfigError(f"The Tessera registry has no directory: {_HOW_TO}")
    path = Path(str(config["dir"])).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(
            f"Cannot create the Tessera registry directory {path}: {err.strerror}"
        ) from err
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise ConfigError(f"The Tessera registry directory {path} is not writable by this agent")
    return path


async def setup(context: InjectionContext) -> None:
    """Register the Tessera registry and install the safe tails fetcher."""
    registry = context.inject_or(AnonCredsRegistry)
    if registry is None:
        raise ConfigError(
            "ACA-Py offers no AnonCredsRegistry; run the agent with --wallet-type askar-anoncreds"
        )
    tessera = TesseraRegistry(DirectoryStore(registry_dir(context.settings)))
    await tessera.setup(context)
    registry.register(tessera)
    tails_limits(context.settings)  # a bad setting stops the agent at start
    install_safe_tails_fetch()
