"""The inbox: store plus delivery behind one small API, and its HTTP face on loopback.

HTTP routes:
  POST /didcomm/<person id>        a DIDComm envelope from a firm: 202 once on disk
  GET  /health                     200 when serving
  GET  /control/<person id>        {"count", "bytes", "failed", "held"} (x-api-key)
  POST /control/<person id>/deliver  release and deliver now; the pass's report (x-api-key)
  POST /control/<person id>/hold     hold delivery: the wallet is locked (x-api-key)
"""

import hmac
import json
import logging
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..settings import HOST
from .delivery import Deliverer, http_post
from .envelope import parse
from .errors import EnvelopeTooLarge, Forbidden, InboxError, NotAnEnvelope, UnknownPerson
from .store import InboxStore, Limits

LOG = logging.getLogger("tessera.inbox")


class Inbox:
    """A durable store-and-forward inbox for many people, keyed by opaque id."""

    def __init__(self, store, deliverer):
        """Join a store and a deliverer; `open()` builds both."""
        self.store = store
        self.deliverer = deliverer

    @classmethod
    def open(cls, root, limits=None, post=http_post, **store_kwargs):
        """Open the store at `root` and start delivering."""
        store = InboxStore.open(root, limits=limits or Limits(), **store_kwargs)
        return cls(store, Deliverer(store, post=post).start())

    def close(self):
        """Stop delivering."""
        self.deliverer.stop()

    def register(self, person_id, deliver_to):
        """Create or update a person's queue delivering to the agent at `deliver_to`."""
        return self.store.register(person_id, deliver_to)

    def receive(self, person_id, body, content_type):
        """Check and queue an envelope durably, forward it if the wallet is open; return new?"""
        envelope = parse(body, content_type, self.store.limits.max_envelope)
        item, new = self.store.accept(person_id, envelope)
        if new:
            LOG.info(
                "inbox %s: queued #%d (%d bytes) for keys %s",
                person_id,
                item.seq,
                item.size,
                ",".join(envelope.kids),
            )
            if not self.store.held(person_id):
                self.deliverer.trigger(person_id)
        else:
            LOG.info("inbox %s: duplicate envelope (%d bytes) ignored", person_id, envelope.size)
        return new

    def pending(self, person_id):
        """Return the person's `Pending` numbers (count, bytes, failed)."""
        return self.store.stats(person_id)

    def pending_count(self, person_id):
        """Return how many envelopes wait for the person (for the lock screen)."""
        return self.store.stats(person_id).count

    def hold(self, person_id):
        """Hold delivery (the wallet was locked); envelopes keep being accepted."""
        self.store.set_held(person_id, True)

    def deliver_now(self, person_id, timeout=120.0):
        """Release delivery and deliver everything waiting; return the pass's `Report`."""
        return self.deliverer.deliver_now(person_id, timeout=timeout)


class InboxServer:
    """A ThreadingHTTPServer on 127.0.0.1 in front of an `Inbox`."""

    def __init__(self, inbox, control_key, port=0, host=HOST):
        """Bind the port; `start()` serves in a thread, `serve_forever()` in this one."""
        self.inbox = inbox
        self.control_key = control_key
        self._server = ThreadingHTTPServer((host, port), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        """Return the server's base URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def endpoint_for(self, person_id):
        """Return the person's public DIDComm endpoint on this server."""
        return f"{self.url}/didcomm/{person_id}"

    def start(self):
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in this thread until `shutdown()`."""
        self._server.serve_forever()

    def shutdown(self):
        """Stop serving (from another thread)."""
        self._server.shutdown()

    def stop(self):
        """Stop serving, close the socket and stop delivering."""
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()
        self.inbox.close()


def start_service(root, control_key, port=0, limits=None, post=http_post, **store_kwargs):
    """Open the inbox at `root` and serve it on 127.0.0.1:`port`; call `.stop()` to end."""
    inbox = Inbox.open(root, limits=limits, post=post, **store_kwargs)
    return InboxServer(inbox, control_key, port).start()


def _handler_class(server):
    inbox = server.inbox

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._dispatch("GET")

        def do_POST(self):
            self._dispatch("POST")

        def _dispatch(self, method):
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            try:
                status, body = self._route(method, parts)
            except InboxError as exc:
                status, body = exc.status, {"error": str(exc)}
                if exc.status >= 500 or exc.status == 413:
                    LOG.warning("inbox: answered %d: %s", exc.status, exc)
            self._answer(status, body)

        def _route(self, method, parts):
            if method == "POST" and len(parts) == 2 and parts[0] == "didcomm":
                body = self._read_body(inbox.store.limits.max_envelope)
                new = inbox.receive(parts[1], body, self.headers.get("content-type"))
                return 202, {"queued": new}
            if method == "GET" and parts == ["health"]:
                return 200, {"ok": True}
            if parts[0] == "control" and len(parts) in (2, 3):
                self._check_key()
                body = self._read_body(64 * 1024)
                action = (method, parts[2] if len(parts) == 3 else None)
                if action == ("GET", None):
                    held = inbox.store.held(parts[1])
                    return 200, {**asdict(inbox.pending(parts[1])), "held": held}
                if action == ("POST", "deliver"):
                    report = inbox.deliver_now(parts[1])
                    return 200, asdict(report) if report else {}
                if action == ("POST", "hold"):
                    inbox.hold(parts[1])
                    return 200, {"held": True}
                if action == ("POST", "register"):
                    inbox.register(parts[1], _deliver_to(body))
                    return 200, {"registered": parts[1]}
            raise UnknownPerson(f"No such inbox route: {method} {self.path}")

        def _check_key(self):
            key = self.headers.get("x-api-key", "")
            if not hmac.compare_digest(key.encode(), server.control_key.encode()):
                raise Forbidden("Control calls need the inbox's x-api-key.")

        def _read_body(self, limit):
            raw = self.headers.get("content-length")
            try:
                length = int(raw or 0)
            except ValueError:
                raise NotAnEnvelope(f"Content-Length {raw!r} is not a number.") from None
            if length > limit:
                self.close_connection = True  # the unread body must not become the next request
                raise EnvelopeTooLarge(f"The body is {length} bytes; this inbox takes {limit}.")
            return self.rfile.read(length)

        def _answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            return

    return Handler


def _deliver_to(body):
    """Read {"deliver_to": URL} from a register call's body."""
    try:
        target = json.loads(body or b"{}").get("deliver_to")
    except (ValueError, AttributeError):
        target = None
    if not isinstance(target, str):
        raise NotAnEnvelope('A register call needs a JSON body {"deliver_to": URL}.')
    return target
