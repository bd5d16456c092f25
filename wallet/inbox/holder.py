"""Where the embedded wallet's inbox lives: its data, port, the holder's opaque id and URL."""

import contextlib
from pathlib import Path

from .. import durable
from ..secrets import ensure_private_dir, load_or_create
from ..settings import HOST
from .store import check_person_id, new_person_id

# The inbox listens next to the holder's ports (8030 inbound, 8031 admin), shifted by
# TESSERA_PORT_OFFSET like every other port.
INBOX_PORT = 8035


def inbox_root(settings):
    """Return the directory holding every person's queue."""
    return Path(settings.home) / "inbox"


def inbox_port(settings):
    """Return the inbox's port, offset applied."""
    return INBOX_PORT + settings.port_offset


def control_key(settings):
    """Return the key control calls (count, deliver, hold) must carry, made on first use."""
    return load_or_create(settings.secrets_dir, "inbox.control-key")


def holder_person_id(settings):
    """Return the holder's opaque inbox id, generated once and kept with the holder's data."""
    directory = ensure_private_dir(settings.role_dir("holder"))
    path = directory / "inbox-id"
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process wrote its id first
            durable.write_text(path, new_person_id() + "\n", replace=False)
    return check_person_id(path.read_text().strip())


def holder_endpoint(settings):
    """Return the holder's public DIDComm endpoint: the inbox URL with its opaque id."""
    return f"http://{HOST}:{inbox_port(settings)}/didcomm/{holder_person_id(settings)}"


def holder_target(deployment):
    """Return the holder agent's inbound transport URL, where the inbox delivers."""
    return f"http://{HOST}:{deployment.ports('holder').inbound}"
