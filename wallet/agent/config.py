"""Agent arg files: the per-role YAML in `agent_config/`, completed at start time.

The YAML files hold what is fixed for a role (wallet type, ports, auto-responses).
At start Tessera adds what is local to one machine (data paths, generated keys,
webhook URL) and writes the result to an owner-only file the agent reads, so that
no secret ever appears on a command line or in a tracked file.
"""

from pathlib import Path
from typing import NamedTuple

import yaml

from .. import durable
from ..errors import ConfigError
from ..settings import HOST

AGENT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "agent_config"

# Options Tessera fills in itself; a role file that sets them is a mistake.
_RUNTIME_KEYS = ("admin-api-key", "admin-insecure-mode", "wallet-key", "webhook-url")
# Options that are secrets: they reach the agent through its stdin pipe as the
# environment variables ACA-Py reads them from, never through the arg file.
SECRET_OPTIONS = {
    "wallet-key": "ACAPY_WALLET_KEY",
    "admin-api-key": "ACAPY_ADMIN_API_KEY",
    "wallet-storage-creds": "ACAPY_WALLET_STORAGE_CREDS",  # a hosted agent's database password
}


# ACA-Py retries an undelivered message every 10 s, 4 times by default (about 40 s),
# then drops it from its in-memory queue. 30 retries cover an outage of the person's
# inbox of about five minutes (a role file may set its own).
OUTBOUND_RETRIES = 30


class Ports(NamedTuple):
    """The two ports of one agent."""

    inbound: int
    admin: int


def load_role_file(role, config_dir=AGENT_CONFIG_DIR):
    """Read `agent_config/<role>.yml` and check the parts Tessera relies on."""
    path = Path(config_dir) / f"{role}.yml"
    try:
        args = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"No agent configuration for role '{role}': {path} is missing.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(args, dict):
        raise ConfigError(f"{path} must hold a mapping of ACA-Py options.")
    for key in _RUNTIME_KEYS:
        if key in args:
            raise ConfigError(f"{path} sets '{key}'; Tessera sets it at start, remove it.")
    admin = args.get("admin")
    if not (isinstance(admin, list) and len(admin) == 2 and admin[0] == HOST):
        raise ConfigError(
            f"{path}: 'admin' must be [{HOST}, PORT]; the admin API stays on loopback."
        )
    return args


def ports_of(args, offset=0):
    """Return the role file's (inbound, admin) ports shifted by `offset`."""
    transports = args.get("inbound-transport") or []
    if len(transports) != 1 or len(transports[0]) != 3:
        raise ConfigError("Each role file needs exactly one inbound-transport [http, HOST, PORT].")
    return Ports(int(transports[0][2]) + offset, int(args["admin"][1]) + offset)


def resolve_args(
    args,
    *,
    ports,
    api_key,
    wallet_key,
    webhook_url,
    registry_dir,
    endpoint=None,
    tails_url=None,
    tails_upload_url=None,
    loopback_egress=False,
):
    """Return the full option mapping for one agent start.

    `tails_upload_url` (with its secret) goes only to the agent that may upload tails files.
    `loopback_egress` lets the agent connect to loopback (the demo and test worlds
    only; see `wallet.egress`).
    """
    resolved = dict(args)
    resolved["admin"] = [HOST, ports.admin]
    resolved["inbound-transport"] = [["http", HOST, ports.inbound]]
    resolved["endpoint"] = [endpoint or f"http://{HOST}:{ports.inbound}"]
    resolved["admin-api-key"] = api_key
    resolved["wallet-key"] = wallet_key
    resolved.setdefault("max-outbound-retry", OUTBOUND_RETRIES)
    if webhook_url:
        resolved["webhook-url"] = [webhook_url]
    if tails_url:
        resolved["tails-server-base-url"] = tails_url
    if tails_upload_url:
        resolved["tails-server-upload-url"] = tails_upload_url
    values = list(resolved.get("plugin-config-value") or [])
    values.append(f"tessera_registry.dir={registry_dir}")
    values.append(f"tessera_egress.allow_loopback={'true' if loopback_egress else 'false'}")
    resolved["plugin-config-value"] = values
    return resolved


def split_secrets(resolved):
    """Return (options for the arg file, {ACA-Py environment variable: secret})."""
    public = {k: v for k, v in resolved.items() if k not in SECRET_OPTIONS}
    secrets = {SECRET_OPTIONS[k]: resolved[k] for k in SECRET_OPTIONS if resolved.get(k)}
    return public, secrets


def write_arg_file(resolved, path):
    """Write resolved options as an owner-only YAML arg file (secrets are refused)."""
    if any(key in resolved for key in SECRET_OPTIONS):
        raise ConfigError("Secrets go to the agent through its pipe, never into its arg file.")
    return durable.write_text(path, yaml.safe_dump(resolved, sort_keys=True))
