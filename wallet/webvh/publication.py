"""The issuer's publication directory: the web root its publication server serves.

`{root}/.well-known/did.jsonl` (or `{root}/{path}/did.jsonl` for a DID with a path) and
`{root}/{path}/resources/{digest}`, exactly the URL paths the did:webvh rules derive from
the ids, so any static web server can serve the directory as it is; and
`{root}/{path}/resources/index.json`, the ids of the issuer's schemas and credential
definitions, so a verifier can find them (a hint: each id is verified before use).
Only the issuer's agent writes here, each file atomically and durably.
"""

import json
from pathlib import Path

from .errors import Tampered
from .files import write_durable
from .ids import RESOURCES, ResourceId, WebvhDid

INDEX_FILE = "index.json"
INDEX_KINDS = ("schemas", "credentialDefinitions")


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

    def index_file(self, did: WebvhDid) -> Path:
        """Return the issuer's index of its schemas and credential definitions."""
        return self.root.joinpath(*did.path, RESOURCES, INDEX_FILE)

    def add_to_index(self, did: WebvhDid, kind: str, object_id: str) -> None:
        """List `object_id` under `kind` in the index (a hint for discovery, not trusted)."""
        path = self.index_file(did)
        try:
            index = json.loads(path.read_bytes())
        except FileNotFoundError:
            index = {}
        except ValueError:
            index = {}
        if not isinstance(index, dict) or index.get("issuerId") != did.did:
            index = {}  # another DID's, or damaged: rebuilt from what is published from now on
        index = {"issuerId": did.did, **{k: v for k, v in index.items() if k in INDEX_KINDS}}
        listed = index.setdefault(kind, [])
        if object_id not in listed:
            listed.append(object_id)
            write_durable(path, json.dumps(index, indent=1, sort_keys=True).encode("utf-8"))

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
