"""Test helpers: an issuer with local keys publishing into a directory, served over HTTPS."""

import asyncio
import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from aries_askar import Key, KeyAlg
from did_webvh.askar import AskarSigningKey

from wallet.webvh import attested
from wallet.webvh.did import Key as DidKey
from wallet.webvh.did import assertion_method_id, create_genesis, log_text
from wallet.webvh.egress import Policy
from wallet.webvh.fetch import Fetcher, ssl_context
from wallet.webvh.ids import parse_did, parse_resource_id
from wallet.webvh.publication import Publication
from wallet.webvh.server import PublicationServer
from wallet.webvh.tls import LocalCA

HOST = "issuer.tessera.localhost"
NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


def local_key() -> DidKey:
    """Return a fresh Ed25519 key held in this process, as a multikey and async signer."""
    key = AskarSigningKey(Key.generate(KeyAlg.ED25519))

    async def sign(message: bytes) -> bytes:
        return key.sign_message(message)

    return DidKey(str(key.multikey), sign)


@dataclass
class Issuer:
    """An issuer DID whose files are in `publication`, with its keys."""

    did: str
    update: DidKey
    assertion: DidKey
    publication: Publication
    log: list

    @property
    def method_id(self) -> str:
        """Return the verification method that signs resources."""
        return assertion_method_id(self.did)

    def publish(self, content, kind, name="x", links=None, signer=None, now=NOW, edit=None):
        """Sign and publish `content`; `edit(doc)` may alter the signed document."""
        doc = attested.unsigned(self.did, content, kind, name, links)
        signed = asyncio.run(
            attested.attest(doc, signer or self.assertion.sign, self.method_id, now)
        )
        if edit is not None:
            edit(signed)
        self.publication.write_resource(parse_resource_id(signed["id"]), signed)
        return signed

    def write_log(self, lines=None):
        """Publish the DID log (the given lines, or its own)."""
        path = self.publication.log_file(parse_did(self.did))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(log_text(lines if lines is not None else self.log))


def make_issuer(root, port, host=HOST, now=NOW) -> Issuer:
    """Create a DID on host:port with local keys and publish its log under `root`."""
    update, assertion = local_key(), local_key()
    state = asyncio.run(create_genesis(host, port, (), update, assertion, now))
    issuer = Issuer(state.document_id, update, assertion, Publication(root), [state.history_json()])
    issuer.write_log()
    return issuer


class Site:
    """A CA, a publication directory and its HTTPS server on 127.0.0.1 (any free port)."""

    def __init__(self, tmp_path: Path):
        """Make the CA and the server's certificate; nothing listens yet."""
        self.ca = LocalCA(tmp_path / "ca").ensure(NOW)
        self.root = tmp_path / "publish"
        self.tails = tmp_path / "tails"
        tls = self.ca.issue_server([HOST], tmp_path / "tls", NOW)
        self.server = PublicationServer(self.root, 0, tls, tails_dir=self.tails)

    def __enter__(self):
        """Start the server."""
        self.server.start()
        return self

    def __exit__(self, *exc):
        """Stop the server."""
        self.server.stop()

    @property
    def port(self) -> int:
        """Return the port the server listens on."""
        return self.server.port

    def fetcher(self, **policy) -> Fetcher:
        """Return a fetcher that trusts this site's CA and allows loopback."""
        return Fetcher(Policy(allow_loopback=True, **policy), ssl_context(self.ca.cert_file))


def read_json(path) -> dict:
    """Read a JSON file."""
    return json.loads(Path(path).read_text())


class HandlerServer(PublicationServer):
    """An HTTPS server on 127.0.0.1 answering every GET with `handler(request)`."""

    def __init__(self, tls, handler):
        """Serve `handler` with the certificate `tls`."""
        super().__init__(Path("/nonexistent"), 0, tls)
        self.handler = handler

    async def _handle(self, request):
        return await self.handler(request)
