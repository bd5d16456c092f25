"""What a backup holds: which of the holder's files travel, and which stay behind.

Travels: everything under `agents/holder/` that Tessera owns (history, receipts,
policies, API tokens, the inbox id, revocation status, downloaded tails files...),
the Askar store as a consistent copy made by Askar itself, and the holder's role
file. Stays: run files (`run/`, holding a copy of the keys, regenerated at every
start), logs, the live store directory (replaced by the copy), temporary files, and
the machine's own secrets (admin API key, web session key, inbox control key) which
are regenerated. The holder's wallet key travels only when it is the generated demo
key in `secrets/holder.wallet-key`; a person's passphrase is never stored anywhere.
"""

import os
from pathlib import Path

import yaml

from ..agent.config import AGENT_CONFIG_DIR
from ..inbox.holder import holder_endpoint
from ..settings import HOST

ROLE = "holder"
KEY_METHOD = "kdf:argon2i:mod"  # ACA-Py's default --wallet-key-derivation-method ARGON2I_MOD
STORE_DIR = Path("home") / ".acapy_agent"
SKIP_DIRS = {Path("run"), Path("logs"), Path("home")}  # home: store copied by Askar, tails below
KEY_FILE = "holder.wallet-key"
# Half-written files of atomic writers (backup, restore, rules, revocation status, tails).
TEMPORARY_PREFIXES = (".tmp-", ".restore-", ".rules-", ".status-", ".download-")
MANIFEST = "manifest.json"
CONFIG_MEMBER = "config/holder.yml"
ROLE_MEMBER = f"agents/{ROLE}"
KEY_MEMBER = f"secrets/{KEY_FILE}"


def wallet_name(config_dir=AGENT_CONFIG_DIR):
    """Return the holder's Askar wallet name from its role file."""
    args = yaml.safe_load((Path(config_dir) / f"{ROLE}.yml").read_text())
    return args.get("wallet-name") or "default"


def store_file(settings, name=None):
    """Return the holder's SQLite store: <role dir>/home/.acapy_agent/wallet/<name>/sqlite.db."""
    name = name or wallet_name()
    return settings.role_dir(ROLE) / STORE_DIR / "wallet" / name / "sqlite.db"


def key_file(settings):
    """Return the demo holder's generated wallet key file."""
    return settings.secrets_dir / KEY_FILE


def demo_key(settings):
    """Return the generated demo wallet key, or None when the wallet key is a passphrase."""
    try:
        return key_file(settings).read_text().strip() or None
    except FileNotFoundError:
        return None


def _temporary(path):
    name = path.name
    return name.endswith((".tmp", ".part")) or name.startswith(TEMPORARY_PREFIXES)


def holder_files(settings):
    """Yield (path, member name) for every holder file that travels, except the store."""
    role_dir = settings.role_dir(ROLE)
    for root, dirs, files in os.walk(role_dir):
        rel = Path(root).relative_to(role_dir)
        dirs[:] = sorted(d for d in dirs if rel / d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink() and not _temporary(path):
                yield path, f"{ROLE_MEMBER}/{(rel / name).as_posix()}"
    tails = role_dir / "home" / ".indy_client" / "tails"
    if tails.is_dir():
        for path in sorted(tails.rglob("*")):
            if path.is_file() and not path.is_symlink() and not _temporary(path):
                yield path, f"{ROLE_MEMBER}/{path.relative_to(role_dir).as_posix()}"


def has_wallet(settings):
    """Return True when the holder has a store or any Tessera data that restore would replace."""
    if store_file(settings).exists():
        return True
    return any(True for _ in holder_files(settings))


def endpoint_in_use(settings):
    """Return the holder's DIDComm endpoint (written into its DIDs) and its kind."""
    args_file = settings.role_dir(ROLE) / "run" / "args.yml"
    try:
        endpoint = (yaml.safe_load(args_file.read_text()) or {}).get("endpoint") or []
    except (OSError, yaml.YAMLError):
        endpoint = []
    if endpoint:
        url = endpoint[0]
    elif (settings.role_dir(ROLE) / "inbox-id").exists():
        url = holder_endpoint(settings)
    else:
        return own_endpoint(settings), "direct"
    return url, ("inbox" if "/didcomm/" in url else "direct")


def own_endpoint(settings):
    """Return the holder's own inbound URL under `settings`."""
    from ..agent.deployment import Deployment

    return f"http://{HOST}:{Deployment(settings).ports(ROLE).inbound}"
