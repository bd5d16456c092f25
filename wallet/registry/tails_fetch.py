"""Replace ACA-Py's holder-side tails download with Tessera's safe fetcher.

ACA-Py 1.7 downloads tails in `AnonCredsRevocation.retrieve_tails`
(acapy_agent/anoncreds/revocation/revocation.py), called through
`get_or_fetch_local_tails_path` when a holder stores a revocable credential and when
it creates a presentation. That download has no scheme or address check, no timeout,
no size cap and leaves a partial file behind on a hash mismatch. `install()` swaps
in `wallet.tails.fetch.fetch_tails`, which obeys the egress policy (`wallet.egress`)
with the deployment's `tessera_egress.allow_loopback`.

Settings (optional), as plugin-config values: `tessera_registry.tails_timeout`
(seconds, default 30) and `tessera_registry.tails_max_bytes` (default 16 MiB).
"""

import logging
from collections.abc import Mapping

from acapy_agent.anoncreds.models.revocation import RevRegDef
from acapy_agent.anoncreds.revocation.revocation import (
    AnonCredsRevocation,
    AnonCredsRevocationError,
)
from acapy_agent.config.plugin_settings import PLUGIN_CONFIG_KEY

from ..egress.acapy_http import allow_loopback
from ..errors import ConfigError, InputError
from ..tails.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, fetch_tails

LOGGER = logging.getLogger(__name__)
CONFIG_NAME = "tessera_registry"


def limits(settings: Mapping) -> tuple[float, int]:
    """Return (timeout seconds, max bytes) from the plugin config; ConfigError if bad."""
    config = (settings.get(PLUGIN_CONFIG_KEY) or {}).get(CONFIG_NAME) or {}
    try:
        timeout = float(config.get("tails_timeout", DEFAULT_TIMEOUT))
        max_bytes = int(config.get("tails_max_bytes", DEFAULT_MAX_BYTES))
    except (TypeError, ValueError) as err:
        raise ConfigError(
            f"{CONFIG_NAME}.tails_timeout must be seconds and tails_max_bytes a whole number"
        ) from err
    if timeout <= 0 or max_bytes <= 0:
        raise ConfigError(f"{CONFIG_NAME}.tails_timeout and tails_max_bytes must be positive")
    return timeout, max_bytes


async def safe_retrieve_tails(self: AnonCredsRevocation, rev_reg_def: RevRegDef) -> str:
    """Download a registry's tails file safely; return its local path (ACA-Py's signature)."""
    timeout, max_bytes = limits(self.profile.settings)
    url = rev_reg_def.value.tails_location
    tails_hash = rev_reg_def.value.tails_hash
    LOGGER.info("Downloading tails file %s from %s", tails_hash, url)
    try:
        path = await fetch_tails(
            url,
            tails_hash,
            self.get_local_tails_path(rev_reg_def),
            allow_loopback=allow_loopback(self.profile.settings),
            timeout=timeout,
            max_bytes=max_bytes,
        )
    except InputError as err:
        raise AnonCredsRevocationError(f"Tails file refused: {err}") from err
    except OSError as err:
        raise AnonCredsRevocationError(f"Cannot store the tails file: {err}") from err
    return str(path)


def install() -> None:
    """Make every AnonCredsRevocation in this process download tails safely (idempotent)."""
    AnonCredsRevocation.retrieve_tails = safe_retrieve_tails
