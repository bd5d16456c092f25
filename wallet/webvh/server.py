"""The issuer's own publication server: its DID log, attested resources and tails files.

It serves, read-only, what the issuer's agent writes into its publication directory, at
the URLs the did:webvh rules derive from the DID (`/.well-known/did.jsonl` or
`/{path}/did.jsonl`, `/{path}/resources/{digest}`), and the issuer's tails files at
`/tails/hash/{hash}`, over HTTPS with the issuer's certificate. Any other path is 404.
It runs in a thread of the process that starts the issuer (like the tails server).
`http_port` adds a plain-HTTP listener with the same content, for verifiers (Credo's
did:webvh resolver) that fetch `*.localhost` names over plain HTTP; tests only.
"""

import asyncio
import collections
import re
import ssl
import threading
from pathlib import Path

from aiohttp import web

from ..errors import ConfigError
from ..settings import HOST
from ..tails.digest import check_tails_hash
from .errors import InputError
from .ids import LOG_FILE, RESOURCES, WELL_KNOWN, check_digest
from .publication import INDEX_FILE
from .tls import ServerCert

_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
JSON = "application/json"
JSONL = "application/jsonl"
START_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 1.0  # requests still running when the server stops are cut off after this


def served_file(root: Path, tails_dir: Path | None, path: str) -> tuple[Path, str] | None:
    """Return (file, content type) a request path maps to, or None if it maps to nothing (pure).

    Only DID logs, resources named by a digest and tails files named by their hash map
    to files; no path can leave the two directories.
    """
    segments = path.strip("/").split("/")
    if any(s in ("", ".", "..") for s in segments):
        return None
    if len(segments) == 3 and segments[:2] == ["tails", "hash"] and tails_dir is not None:
        try:
            return tails_dir / check_tails_hash(segments[2]), "application/octet-stream"
        except InputError:
            return None
    if segments == [WELL_KNOWN, LOG_FILE]:
        return root.joinpath(*segments), JSONL
    if not all(_SEGMENT.match(s) for s in segments):
        return None
    if segments[-1] == LOG_FILE:
        return root.joinpath(*segments), JSONL
    if len(segments) >= 2 and segments[-2] == RESOURCES:
        if segments[-1] == INDEX_FILE:
            return root.joinpath(*segments), JSON
        try:
            check_digest(segments[-1])
        except InputError:
            return None
        return root.joinpath(*segments), JSON
    return None


class PublicationServer:
    """Serve an issuer's publication directory over HTTPS on 127.0.0.1 from a thread."""

    def __init__(self, root, port, tls: ServerCert, tails_dir=None, host=HOST, http_port=None):
        """Describe the server; `start()` listens."""
        self.root = Path(root)
        self.tails_dir = Path(tails_dir) if tails_dir else None
        self.port = port
        self.http_port = http_port
        self.host = host
        self.tls = tls
        self.hits = collections.Counter()
        self._loop = None
        self._runner = None
        self._servers = []
        self._thread = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        found = served_file(self.root, self.tails_dir, request.path)
        if found is None or not found[0].is_file():
            return web.json_response({"error": "not found"}, status=404)
        self.hits[request.path] += 1
        path, content_type = found
        return web.FileResponse(
            path, headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
        )

    def _context(self) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.tls.cert_file, self.tls.key_file)
        except (OSError, ssl.SSLError) as err:
            raise ConfigError(
                f"Cannot load the publication server's certificate {self.tls.cert_file}: {err}"
            ) from err
        return context

    async def _start(self):
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        sites = [web.TCPSite(self._runner, self.host, self.port, ssl_context=self._context())]
        if self.http_port:
            sites.append(web.TCPSite(self._runner, self.host, self.http_port))
        for site in sites:
            await site.start()
        self._servers = [site._server for site in sites]
        self.port = self._servers[0].sockets[0].getsockname()[1]  # the real one when 0 was asked

    def start(self) -> "PublicationServer":
        """Listen on 127.0.0.1 and serve from a daemon thread; ConfigError if it cannot."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"publish-{self.port}", daemon=True
        )
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        try:
            future.result(START_TIMEOUT)
        except OSError as err:
            self.stop()
            raise ConfigError(
                f"Cannot start the issuer's publication server on {self.host}:{self.port}: "
                f"{err.strerror or err}. Stop what uses the port, or set TESSERA_PORT_OFFSET."
            ) from err
        except BaseException:
            self.stop()
            raise
        return self

    async def _close(self):
        for server in self._servers:  # keep-alive and half-open clients too (Python 3.13)
            server.close()
            server.abort_clients()
        await self._runner.cleanup()
        await asyncio.sleep(0.05)  # let the aborted transports finish closing

    def stop(self):
        """Stop serving and end the thread."""
        if self._loop is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(START_TIMEOUT)
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT)
        self._loop.close()
        self._loop = None
