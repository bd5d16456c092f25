"""The inbox: store plus delivery behind one small API, and its HTTP face on loopback.

HTTP routes:
  POST /didcomm/<person id>          a DIDComm envelope from a firm: 202 (empty) once on disk
  GET  /health                       200 when serving
  GET  /control/<person id>          {"count", "bytes", "failed", "held", "keys"} (x-api-key)
  POST /control/<person id>/deliver  release and deliver now; the pass's report (x-api-key)
  POST /control/<person id>/hold     hold delivery: the wallet is locked (x-api-key)
  POST /control/<person id>/register {"deliver_to": URL}: serve the id (x-api-key)
  POST /control/<person id>/keys     {"keys": [...]}: the agent's recipient keys (x-api-key)
Any other method on a route is answered 405; how hostile clients are bounded is in
`httpserve.py`.
"""

import hmac
import json
import logging
import threading
from dataclasses import asdict

from ..settings import HOST
from . import jsonsafe
from .delivery import Deliverer, http_post, unreachable_backoff
from .envelope import parse
from .errors import BadRequest, Forbidden, MethodNotAllowed, UnknownPerson
from .httpserve import GuardedHandler, GuardedServer, Timeouts
from .store import InboxStore, Limits

LOG = logging.getLogger("tessera.inbox")


class Inbox:
    """A durable store-and-forward inbox for many people, keyed by opaque id."""

    def __init__(self, store, deliverer):
        """Join a store and a deliverer; `open()` builds both."""
        self.store = store
        self.deliverer = deliverer

    @classmethod
    def open(cls, root, limits=None, post=http_post, retry=unreachable_backoff, **store_kwargs):
        """Open the store at `root` and start delivering (`retry`: delay after no answer)."""
        store = InboxStore.open(root, limits=limits or Limits(), **store_kwargs)
        return cls(store, Deliverer(store, post=post, retry=retry).start())

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

    def register_keys(self, person_id, kids):
        """Take the recipient keys the person's agent made; deliver if it is released.

        The agent registers its keys when it makes one and whenever it starts, so this is
        also the sign that it is up: a released queue is delivered at once.
        """
        added, total = self.store.register_keys(person_id, kids)
        if added:
            LOG.info("inbox %s: %d recipient keys registered (%d in all)", person_id, added, total)
        if not self.store.held(person_id) and self.store.pending(person_id):
            self.deliverer.trigger(person_id)
        return added, total

    def pending(self, person_id):
        """Return the person's `Pending` numbers (count, bytes, failed)."""
        return self.store.stats(person_id)

    def pending_count(self, person_id):
        """Return how many envelopes wait for the person (for the lock screen)."""
        return self.store.stats(person_id).count

    def hold(self, person_id):
        """Hold delivery (the wallet was locked); envelopes keep being accepted."""
        self.store.set_held(person_id, True)
        self.deliverer.cancel_retry(person_id)

    def deliver_now(self, person_id, timeout=120.0):
        """Release delivery and deliver everything waiting; return the pass's `Report`."""
        return self.deliverer.deliver_now(person_id, timeout=timeout)


CONTROL_BODY = 256 * 1024
MAX_KEYS_PER_CALL = 1000


class InboxServer:
    """A guarded HTTP server on 127.0.0.1 in front of an `Inbox`."""

    def __init__(self, inbox, control_key, port=0, host=HOST, timeouts=None):
        """Bind the port; `start()` serves in a thread, `serve_forever()` in this one."""
        self.inbox = inbox
        self.control_key = control_key
        self._server = GuardedServer((host, port), _handler_class(self), timeouts or Timeouts())
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
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
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


def start_service(
    root, control_key, port=0, limits=None, post=http_post, timeouts=None, **store_kwargs
):
    """Open the inbox at `root` and serve it on 127.0.0.1:`port`; call `.stop()` to end."""
    inbox = Inbox.open(root, limits=limits, post=post, **store_kwargs)
    return InboxServer(inbox, control_key, port, timeouts=timeouts).start()


def _json_answer(status, value):
    return status, json.dumps(value).encode(), {"Content-Type": "application/json"}


def _allow(method, *allowed):
    if method not in allowed:
        raise MethodNotAllowed(f"Method {method!r} not allowed here.", allow=allowed)


def _handler_class(server):
    inbox = server.inbox
    control_key = server.control_key.encode()

    class Handler(GuardedHandler):
        def route(self, method):
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            if parts[0] == "didcomm" and len(parts) == 2:
                _allow(method, "POST")
                body = self.read_body(inbox.store.limits.max_envelope)
                inbox.receive(parts[1], body, self.headers.get("content-type"))
                return 202, b"", {}
            if parts == ["health"]:
                _allow(method, "GET")
                return _json_answer(200, {"ok": True})
            if parts[0] == "control" and len(parts) in (2, 3):
                self._check_key()
                return self._control(method, parts[1], parts[2] if len(parts) == 3 else None)
            raise UnknownPerson(f"No such inbox route: {self.path[:200]}")

        def _control(self, method, person_id, action):
            if action is None:
                _allow(method, "GET")
                stats = asdict(inbox.pending(person_id))
                stats["held"] = inbox.store.held(person_id)
                stats["keys"] = len(inbox.store.keys(person_id))
                return _json_answer(200, stats)
            _allow(method, "POST")
            body = self.read_body(CONTROL_BODY)
            if action == "deliver":
                report = inbox.deliver_now(person_id)
                return _json_answer(200, asdict(report) if report else {})
            if action == "hold":
                inbox.hold(person_id)
                return _json_answer(200, {"held": True})
            if action == "register":
                inbox.register(person_id, _field(body, "deliver_to", str))
                return _json_answer(200, {"registered": person_id})
            if action == "keys":
                kids = _field(body, "keys", list)
                if len(kids) > MAX_KEYS_PER_CALL:
                    raise BadRequest(f"Register at most {MAX_KEYS_PER_CALL} keys per call.")
                added, total = inbox.register_keys(person_id, kids)
                return _json_answer(200, {"added": added, "keys": total})
            raise UnknownPerson(f"No such control call: {action[:40]!r}")

        def _check_key(self):
            key = self.headers.get("x-api-key", "").encode("latin-1", "replace")
            if not hmac.compare_digest(key, control_key):
                raise Forbidden("Control calls need the inbox's x-api-key.")

    return Handler


def _field(body, name, kind):
    """Read {name: value of `kind`} from a control call's JSON body."""
    data = jsonsafe.loads(body or b"{}", 4, "The control call's body")
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, kind):
        raise BadRequest(f'A control call needs a JSON body {{"{name}": {kind.__name__}}}.')
    return value
