"""Generated secrets (admin API keys, demo wallet keys) kept with owner-only permissions."""

import contextlib
import secrets

from . import durable
from .errors import ConfigError


def ensure_private_dir(path):
    """Create `path` if needed and make it readable by its owner only (not under a mount)."""
    return durable.private_dir(path)


def load_or_create(directory, name, nbytes=32):
    """Return the secret stored as `directory/name`, generating it on first use.

    Under a mount (a hosted person's data) the secret lives, sealed, in the backend.
    """
    directory = ensure_private_dir(directory)
    path = directory / name
    if durable.mounted(path):
        return _load_or_create_mounted(path, nbytes)
    if path.exists():
        return _read_existing(path)
    value = secrets.token_urlsafe(nbytes)
    try:
        # Never replaces an existing file: if another thread or process won the race,
        # its secret is the one everybody uses.
        durable.write_text(path, value + "\n", replace=False)
    except FileExistsError:
        return _read_existing(path)
    return value


def _load_or_create_mounted(path, nbytes):
    if not durable.exists(path):
        # Another writer may make it first: its secret is then the one everybody uses.
        with contextlib.suppress(FileExistsError):
            durable.write_text(path, secrets.token_urlsafe(nbytes) + "\n", replace=False)
    return durable.read_bytes(path).decode().strip()


def _read_existing(path):
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} is readable by others; run `chmod 600 {path}` and try again.")
    value = path.read_text().strip()
    if not value:
        raise ConfigError(f"{path} is empty; delete it to generate a new secret.")
    return value
