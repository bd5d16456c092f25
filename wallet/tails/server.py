"""Tessera's tails server on loopback: the issuer's agent uploads, holders download tails files.

`PUT {base}/upload/{token}/hash/{hash}` (multipart, field `tails`) stores a file whose
SHA-256 in base58 equals `{hash}`; only the issuer's agent knows the token (its
`tails-server-upload-url`), and the store holds at most a quota of files and bytes.
`GET {base}/hash/{hash}` returns a file to anyone. Files live under the data directory
(`$TESSERA_HOME/tails`) and are never replaced.
"""

import hmac
import threading

from flask import Blueprint, Flask, current_app, jsonify, request, send_file
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.serving import WSGIRequestHandler, make_server

from ..errors import ConfigError, InputError, IntegrityError, NotFound, StorageFull, WalletError
from ..settings import HOST
from .store import TailsStore

TAILS_PORT = 8050
# ACA-Py caps a registry at 32768 credentials; its tails file is about 8.4 MB.
MAX_TAILS_BYTES = 16 * 1024 * 1024
# What all uploads together may take: ACA-Py makes two registries per revocable
# credential definition (active and spare) and one more each time one fills up.
QUOTA_FILES = 256
QUOTA_BYTES = 1024 * 1024 * 1024
FIELD = "tails"

bp = Blueprint("tails", __name__)


def _store() -> TailsStore:
    return current_app.extensions["tessera_tails"]


@bp.get("/hash/<tails_hash>")
def download(tails_hash):
    """Return a stored tails file."""
    path = _store().get(tails_hash)
    return send_file(path, mimetype="application/octet-stream", max_age=0)


@bp.put("/upload/<token>/hash/<tails_hash>")
def upload(token, tails_hash):
    """Store an uploaded tails file once; 201 when new, 200 when already stored."""
    expected = current_app.config["UPLOAD_TOKEN"]
    if not hmac.compare_digest(token.encode(), expected.encode()):
        return jsonify({"error": "Only the issuer's agent may upload tails files"}), 403
    upload = request.files.get(FIELD)
    if upload is None:
        raise InputError(f"Send the tails file as multipart form field '{FIELD}'")
    created = _store().put(tails_hash, upload.stream)
    return jsonify({"hash": tails_hash, "stored": True}), 201 if created else 200


_STATUS = ((NotFound, 404), (InputError, 400), (IntegrityError, 409), (StorageFull, 507))


def _wallet_error(err: WalletError):
    """Map Tessera errors to JSON responses."""
    status = next((code for kind, code in _STATUS if isinstance(err, kind)), 500)
    return jsonify({"error": str(err)}), status


def _http_error(err: HTTPException):
    """Answer HTTP errors (413 too large, 404, 405) as JSON too."""
    text = err.description
    if isinstance(err, RequestEntityTooLarge):
        text = f"The upload is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes"
    return jsonify({"error": text}), err.code


def create_app(test_config=None):
    """Build the tails server app; `test_config` must give TAILS_DIR and UPLOAD_TOKEN."""
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_TAILS_BYTES=MAX_TAILS_BYTES, QUOTA_FILES=QUOTA_FILES, QUOTA_BYTES=QUOTA_BYTES
    )
    app.config.update(test_config or {})
    if not app.config.get("TAILS_DIR"):
        raise ConfigError("The tails server needs TAILS_DIR, the directory to keep files in")
    if len(app.config.get("UPLOAD_TOKEN") or "") < 16:
        raise ConfigError("The tails server needs an UPLOAD_TOKEN of at least 16 characters")
    # The multipart envelope adds a little to the file itself.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_TAILS_BYTES"] + 64 * 1024
    app.extensions["tessera_tails"] = TailsStore(
        app.config["TAILS_DIR"],
        app.config["MAX_TAILS_BYTES"],
        quota_files=app.config["QUOTA_FILES"],
        quota_bytes=app.config["QUOTA_BYTES"],
    )
    app.register_blueprint(bp)
    app.register_error_handler(WalletError, _wallet_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def upload_url(base_url, token):
    """Return the upload URL (with its secret token) of the tails server at `base_url`."""
    return f"{base_url.rstrip('/')}/upload/{token}"


class _QuietHandler(WSGIRequestHandler):
    """Log errors, not every upload and download, to the terminal of whoever runs us."""

    def log_request(self, code="-", size="-"):
        """Drop per-request access lines."""


class TailsServer:
    """The tails app served on 127.0.0.1 from a background thread."""

    def __init__(self, tails_dir, upload_token, port=0, max_bytes=MAX_TAILS_BYTES):
        """Describe the server (port 0: any free port); `start()` listens."""
        self.upload_token = upload_token
        self.app = create_app(
            {
                "TAILS_DIR": str(tails_dir),
                "MAX_TAILS_BYTES": max_bytes,
                "UPLOAD_TOKEN": upload_token,
            }
        )
        self._port = port
        self._server = None
        self._thread = None

    @property
    def port(self):
        """Return the port it listens on."""
        return self._server.server_port

    @property
    def base_url(self):
        """Return the base URL to give agents as `tails-server-base-url`."""
        return f"http://{HOST}:{self.port}"

    @property
    def upload_url(self):
        """Return the URL only the issuer's agent gets, as `tails-server-upload-url`."""
        return upload_url(self.base_url, self.upload_token)

    def start(self):
        """Listen on 127.0.0.1 and serve in a daemon thread."""
        try:
            self._server = make_server(
                HOST, self._port, self.app, threaded=True, request_handler=_QuietHandler
            )
        except OSError as err:
            raise ConfigError(
                f"Cannot start the tails server on {HOST}:{self._port}: {err.strerror}. "
                "Stop what uses the port, or set TESSERA_PORT_OFFSET to move every port."
            ) from err
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def running(self):
        """Return True while it serves (its thread alive)."""
        return self._server is not None and self._thread is not None and self._thread.is_alive()

    def restart(self):
        """Serve again on the same port, after its thread died."""
        port = self._server.server_port if self._server is not None else self._port
        self.stop()
        self._port = port
        return self.start()

    def stop(self):
        """Stop serving."""
        if self._server is not None:
            if self.running():
                self._server.shutdown()
            self._server.server_close()
            self._server = None
