"""Loopback HTTP listeners that record what reaches them (the only targets egress tests use)."""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"


class _CountingServer(ThreadingHTTPServer):
    """Counts every connection accepted, whatever is sent on it (TLS, junk or HTTP)."""

    daemon_threads = True

    def __init__(self, *args):
        """Start counting at zero."""
        super().__init__(*args)
        self.accepted = 0

    def verify_request(self, request, client_address):
        """Count the connection, then serve it."""
        self.accepted += 1
        return True


class Listener:
    """An HTTP server on 127.0.0.1 recording every request; answers 200 or a redirect."""

    def __init__(self, redirect_to=None, status=307):
        """Listen on a free loopback port; redirect every request to `redirect_to` if given."""
        self.redirect_to = redirect_to
        self.status = status
        self.requests = []
        self._lock = threading.Lock()
        self.server = _CountingServer((HOST, 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self):
        """The port it listens on."""
        return self.server.server_port

    def url(self, path="/", host=HOST):
        """The URL of `path` here, spelled with `host` (which must mean 127.0.0.1)."""
        return f"http://{host}:{self.port}{path}"

    def seen(self):
        """Return a copy of the recorded requests: (method, path, content-type, body size)."""
        with self._lock:
            return list(self.requests)

    def connections(self):
        """How many connections reached this listener (HTTP or not)."""
        return self.server.accepted

    def close(self):
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self._record()

            def do_GET(self):
                self._record()

            def _record(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                with listener._lock:
                    listener.requests.append(
                        (self.command, self.path, self.headers.get("content-type"), len(body))
                    )
                if listener.redirect_to:
                    self.send_response(listener.status)
                    self.send_header("location", listener.redirect_to)
                else:
                    self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                return

        return Handler


@contextlib.contextmanager
def listeners(*specs):
    """Start one Listener per spec (a dict of Listener arguments); stop them all on exit."""
    started = []
    try:
        for spec in specs:
            started.append(Listener(**spec))
        yield started
    finally:
        for listener in started:
            listener.close()
