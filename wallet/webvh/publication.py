"""The issuer's publication directory: the web root its publication server serves.

`{root}/.well-known/did.jsonl` (or `{root}/{path}/did.jsonl` for a DID with a path) and
`{root}/{path}/resources/{digest}`, exactly the URL paths the did:webvh rules derive from
the ids, so any static web server can serve the directory as it is. Only the issuer's
agent writes here, each file atomically and durably.
"""

import json
from pathlib import Path

from .errors import Tampered
from .files import write_durable
from .ids import ResourceId, WebvhDid


class Publication:
    """The files an issuer publishes, under one web root."""

    def __init__(self, root):
        """Publish under `root` (created on first write)."""
        self.root = Path(root)

    def log_file(self, did: WebvhDid) -> Path:
        """Return where the DID's log is published."""
        return self.root.joinpath(*did.log_path)

    def resource_file(self, rid: ResourceId) -> Path:
        """Return where a resource is published."""
        return self.root.joinpath(*rid.web_path)

    def write_log(self, did: WebvhDid, text: bytes) -> Path:
        """Publish the DID log."""
        return write_durable(self.log_file(did), text)

    def write_resource(self, rid: ResourceId, doc: dict) -> Path:
        """Publish (or replace) a resource document."""
        data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
        return write_durable(self.resource_file(rid), data)

    def read_resource(self, rid: ResourceId) -> dict | None:
        """Return the published document of `rid`, or None if there is none."""
        try:
            return json.loads(self.resource_file(rid).read_bytes())
        except FileNotFoundError:
            return None
        except ValueError as err:
            raise Tampered(
                f"The published copy of {rid.id} at {self.resource_file(rid)} is damaged: {err}"
            ) from err
