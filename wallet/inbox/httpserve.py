"""A stdlib HTTP server that holds up against hostile clients (the inbox and the webhook hub).

- A new connection's request must start within `idle` seconds; a kept-alive connection
  may wait `keepalive` seconds for its next one (longer than the 15 s aiohttp clients
  keep idle connections, so the client closes first and never reuses a socket the
  server is closing). Within a request every read waits at most `idle` seconds; request
  line and headers must arrive within `headers` seconds, a body at `min_rate` bytes per
  second after that grace. A reaper thread cuts the reading side of a connection past
  its deadline, so a client that trickles one byte at a time is answered 408 (or
  dropped) instead of held forever.
- A body needs a plain `Content-Length` (no chunked bodies): missing 411, malformed or
  negative 400, too large 413 (the connection is closed: the unread rest must not be
  read as the next request), shorter than announced or stalled 408.
- Methods a route does not take are answered 405 (never 501), an HTTP version it does not
  speak 400 (never 505); errors are JSON `{"error": ...}`.
- At most `max_connections` connections are served at once; more are answered 429.
"""

import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..errors import InputError, WalletError
from .errors import (
    BadRequest,
    EnvelopeTooLarge,
    InboxError,
    LengthRequired,
    MethodNotAllowed,
    RequestTimeout,
)

LOG = logging.getLogger("tessera.http")
_DIGITS = frozenset("0123456789")
_BUSY_BODY = b'{"error": "Too many connections at once; retry shortly."}'
_BUSY = (
    b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY)
)


@dataclass(frozen=True)
class Timeouts:
    """How long a client may take: per read, for its headers, and its slowest body rate."""

    idle: float = 5.0
    keepalive: float = 20.0
    headers: float = 10.0
    min_rate: int = 32 * 1024
    max_connections: int = 64

    def body_seconds(self, length):
        """Return how long a body of `length` bytes may take to arrive."""
        return self.headers + length / self.min_rate


class Deadlines:
    """A reaper thread: shuts the reading side of a connection once its deadline passes."""

    def __init__(self, tick=0.2, clock=time.monotonic):
        """Prepare; `start()` runs the thread."""
        self._tick = tick
        self._clock = clock
        self._due = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        """Run the reaper thread."""
        self._thread = threading.Thread(target=self._run, name="http-deadlines", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop the reaper thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def set(self, sock, seconds):
        """Cut `sock`'s reading side `seconds` from now unless `clear()`ed before."""
        with self._lock:
            self._due[sock] = self._clock() + seconds

    def clear(self, sock):
        """Forget `sock`'s deadline."""
        with self._lock:
            self._due.pop(sock, None)

    def _run(self):
        while not self._stop.wait(self._tick):
            now = self._clock()
            with self._lock:
                late = [s for s, at in self._due.items() if at <= now]
                for sock in late:
                    del self._due[sock]
            for sock in late:
                try:
                    sock.shutdown(socket.SHUT_RD)
                except OSError:
                    LOG.debug("connection already closed when its deadline passed")


class GuardedServer(ThreadingHTTPServer):
    """A threading HTTP server with per-request deadlines and a cap on connections."""

    daemon_threads = True

    def __init__(self, address, handler_class, timeouts=None):
        """Bind `address`; `timeouts` (a `Timeouts`) bounds what each client may take."""
        self.timeouts = timeouts or Timeouts()
        self.deadlines = Deadlines().start()
        self._slots = threading.BoundedSemaphore(self.timeouts.max_connections)
        try:
            super().__init__(address, handler_class)
        except BaseException:
            self.deadlines.stop()
            raise

    def process_request(self, request, client_address):
        """Serve the connection in a thread, or answer 429 when every slot is taken."""
        if not self._slots.acquire(blocking=False):
            LOG.warning("too many connections; answered 429 to %s", client_address[0])
            try:
                request.settimeout(0.5)
                request.sendall(_BUSY)
            except OSError:
                LOG.debug("could not tell %s it was refused", client_address[0])
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        """Serve one connection, then free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.deadlines.clear(request)
            self._slots.release()

    def server_close(self):
        """Close the socket and stop the reaper."""
        super().server_close()
        self.deadlines.stop()


class GuardedHandler(BaseHTTPRequestHandler):
    """Request handler base: bounded reads, JSON errors, 405 for any method not routed.

    Subclasses define `route(method)`, returning `(status, body bytes, headers dict)` or
    raising a `WalletError`: its `status` attribute is the answer (400 for input errors).
    """

    protocol_version = "HTTP/1.1"
    json_depth = 8

    def setup(self):
        """Bound every read of this connection (see `handle_one_request`)."""
        self.timeout = self.server.timeouts.idle
        self.served = 0
        super().setup()

    def handle_one_request(self):
        """Serve one request within the request-line-and-headers deadline."""
        timeouts = self.server.timeouts
        wait = timeouts.keepalive if self.served else timeouts.idle
        self.connection.settimeout(wait)
        self.server.deadlines.set(self.connection, wait + timeouts.headers)
        try:
            super().handle_one_request()
        finally:
            self.server.deadlines.clear(self.connection)
            self.served += 1

    def parse_request(self):
        """Parse the request line and headers; a stall there is answered 408."""
        self.connection.settimeout(self.server.timeouts.idle)
        try:
            parsed = super().parse_request()
        except TimeoutError:
            self.close_connection = True
            self.answer_error(RequestTimeout("The request's headers did not arrive in time."))
            return False
        self.server.deadlines.clear(self.connection)
        return parsed

    def do_GET(self):
        """Route a GET."""
        self.dispatch("GET")

    def do_POST(self):
        """Route a POST."""
        self.dispatch("POST")

    def __getattr__(self, name):
        """Answer 405 for every method without a `do_` handler (instead of 501)."""
        if name.startswith("do_"):
            return lambda: self.answer_error(MethodNotAllowed(f"Method {name[3:]!r} not allowed."))
        raise AttributeError(name)

    def route(self, method):
        """Return (status, body, headers) for this request; subclasses define it."""
        raise MethodNotAllowed(f"Method {method!r} not allowed.")

    def dispatch(self, method):
        """Call `route` and answer; every error becomes a JSON answer, never a dropped socket."""
        try:
            status, body, headers = self.route(method)
        except WalletError as exc:
            if not hasattr(exc, "status"):
                exc = (BadRequest if isinstance(exc, InputError) else InboxError)(str(exc))
            self.answer_error(exc)
            return
        except Exception:
            LOG.exception("%s %s failed", method, self.path[:200])
            self.answer_error(InboxError("Internal error; retry later."))
            return
        self.answer(status, body, headers)

    def read_body(self, limit):
        """Return the request body (at most `limit` bytes), read within its deadline."""
        if self.headers.get("transfer-encoding"):
            self.close_connection = True
            raise LengthRequired("Send the body with a Content-Length; chunked is not taken.")
        values = self.headers.get_all("content-length") or []
        if not values:
            return b"" if self.command != "POST" else self._no_length()
        raw = values[0].strip()
        if len(set(values)) != 1 or not raw or len(raw) > 12 or not set(raw) <= _DIGITS:
            self.close_connection = True
            raise BadRequest(f"Content-Length {values[0][:20]!r} is not a byte count.")
        length = int(raw)
        if length > limit:
            self.close_connection = True
            raise EnvelopeTooLarge(f"The body is {length} bytes; this server takes {limit}.")
        self.server.deadlines.set(self.connection, self.server.timeouts.body_seconds(length))
        data = bytearray()
        try:
            while len(data) < length:
                chunk = self.rfile.read1(min(65536, length - len(data)))
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            self.close_connection = True
            raise RequestTimeout(
                f"The body stalled after {len(data)} of {length} bytes; send it whole."
            ) from None
        finally:
            self.server.deadlines.clear(self.connection)
        if len(data) < length:
            self.close_connection = True
            raise RequestTimeout(
                f"The body ended (or was too slow) after {len(data)} of {length} bytes."
            )
        return bytes(data)

    def _no_length(self):
        self.close_connection = True
        raise LengthRequired("Send the body with a Content-Length.")

    def send_error(self, code, message=None, explain=None):
        """Answer the server's own protocol errors as JSON; 501 becomes 405, 505 becomes 400."""
        if code == 501:
            self.answer_error(MethodNotAllowed(f"Method {self.command!r} not allowed."))
            return
        if code == 505:
            code, message = 400, "HTTP version not supported; use HTTP/1.1."
        self.close_connection = True
        error = BadRequest(message or "Malformed request.")
        error.status = code
        self.answer_error(error)

    def answer_error(self, exc):
        """Answer an error (with a `status`) as JSON (and `Allow` for a 405)."""
        headers = {}
        if isinstance(exc, MethodNotAllowed):
            headers["Allow"] = ", ".join(exc.allow)
            self.close_connection = True
        if exc.status >= 500 or exc.status in (408, 411, 413):
            LOG.warning("answered %d: %s", exc.status, exc)
        body = json.dumps({"error": str(exc)}).encode()
        self.answer(exc.status, body, {"Content-Type": "application/json", **headers})

    def answer(self, status, body=b"", headers=None):
        """Write a response with `body` and `headers` (Content-Length always set)."""
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(body)
        except OSError as exc:
            self.close_connection = True
            LOG.debug("client went away before its answer: %s", exc)

    def log_message(self, format, *args):
        """Keep request lines out of the log (the inbox logs only sizes and key ids)."""

    def log_error(self, format, *args):
        """Log the server's own errors quietly."""
        LOG.debug(format, *args)
