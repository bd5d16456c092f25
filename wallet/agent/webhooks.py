"""Receive ACA-Py webhooks on loopback and let flows wait for them.

Each agent posts `{url}/topic/{topic}/` with the key after `#` in its webhook URL
as `x-api-key`. The hub keeps a bounded history and a sequence number so a waiter
never misses an event that arrived between its last look and its wait.

An event wakes only the waiters it is for. With one condition for all, every webhook
woke every waiting thread to look and sleep again: at 16 proofs in flight that was
the largest single cost in the controller (py-spy: `notify_all` alone was 23% of its
CPU holding the GIL), and it grows with the exchanges in flight.

A wait begins by looking through the history (an answer may have come before the
waiter), so a wait for one record looked at up to `HISTORY` events, and again at each
wake until its first event: at 10 issuances in flight that was half the controller's
CPU. A waiter that names one record by a payload field (`PayloadIs`, such as
`thread_id`) is answered from an index of the history by that field.

The hub is a guarded server (`wallet.inbox.httpserve`): a wrong or non-ASCII key is
answered 401, a body that is not a JSON object (or nests deeper than `MAX_DEPTH`)
400, other methods 405, and no client can hold a connection open.
"""

import collections
import hmac
import itertools
import secrets
import threading
from dataclasses import dataclass, field

from ..errors import WalletError
from ..inbox import jsonsafe
from ..inbox.errors import BadRequest, MethodNotAllowed
from ..inbox.httpserve import GuardedHandler, GuardedServer, Timeouts
from ..settings import HOST

MAX_BODY = 4 * 1024 * 1024
# ACA-Py's records (exchange records with by_format, presentations) nest about 10 deep.
MAX_DEPTH = 64
HISTORY = 2000
# ACA-Py sends webhooks concurrently; bursts of several agents stay well below this.
MAX_CONNECTIONS = 256


class WebhookKeyRefused(WalletError):
    """A webhook came without the hub's key."""

    status = 401


class NoSuchWebhook(WalletError):
    """The path is not `/webhooks/<role>/topic/<topic>/`."""

    status = 404


# The payload fields the history is indexed by (`PayloadIs`).
INDEXED = ("thread_id", "cred_ex_id", "pres_ex_id", "connection_id", "invitation_msg_id")


@dataclass(frozen=True)
class PayloadIs:
    """A match for the events of one record: the payload's `field` is `value`.

    Called like any match; the hub finds such events by index, not by a scan.
    """

    field: str
    value: str

    def __call__(self, payload):
        """Return True when the payload's `field` equals `value`."""
        return payload.get(self.field) == self.value


@dataclass(frozen=True)
class Event:
    """One webhook: which agent role sent it, its topic, its payload, its sequence."""

    seq: int
    role: str
    topic: str
    payload: dict
    # Its index keys, as they were when it arrived (a consumer may change the payload).
    keys: tuple = field(default=(), compare=False, repr=False)


class WebhookHub:
    """A small HTTP server on 127.0.0.1 collecting webhooks from several agents."""

    def __init__(self, port=0):
        """Prepare the hub (port 0: any free port); call `start()` to listen."""
        self.api_key = secrets.token_urlsafe(24)
        self._events = collections.deque(maxlen=HISTORY)
        self._indexed = {}  # (field, value) -> deque of the held events with it, in order
        self._seq = 0
        self._lock = threading.Lock()
        self._waiters = set()
        self._listeners = []
        self._port = port
        self._server = None

    @property
    def port(self):
        """Return the port the hub listens on."""
        return self._server.server_address[1]

    def url_for(self, role):
        """Return the webhook URL (with its key after '#') to give the `role` agent."""
        return f"http://{HOST}:{self.port}/webhooks/{role}#{self.api_key}"

    def start(self):
        """Listen on 127.0.0.1 and serve in a background thread."""
        timeouts = Timeouts(keepalive=60.0, max_connections=MAX_CONNECTIONS)
        self._server = GuardedServer((HOST, self._port), self._handler_class(), timeouts)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self):
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def add_listener(self, callback):
        """Call `callback(event)` for every event (from the server thread)."""
        self._listeners.append(callback)

    def remove_listener(self, callback):
        """Stop calling `callback`."""
        if callback in self._listeners:
            self._listeners.remove(callback)

    @property
    def seq(self):
        """Return the sequence number of the latest event."""
        with self._lock:
            return self._seq

    def publish(self, role, topic, payload):
        """Record an event and wake the waiters it is for."""
        with self._lock:
            self._seq += 1
            event = Event(self._seq, role, topic, payload, _keys(payload))
            if len(self._events) == self._events.maxlen:
                self._unindex(self._events[0])  # the oldest leaves the history
            self._events.append(event)
            for key in event.keys:
                self._indexed.setdefault(key, collections.deque()).append(event)
            woken = [w for w in self._waiters if w.wants(event)]
        for waiter in woken:
            waiter.woken.set()
        for callback in self._listeners:
            callback(event)
        return event

    def _unindex(self, event):
        for key in event.keys:
            held = self._indexed[key]
            held.popleft()  # the oldest of the history is the oldest of each of its keys
            if not held:
                del self._indexed[key]

    def _held(self, match):
        """Return the held events `match` may want, oldest first (caller holds the lock)."""
        if isinstance(match, PayloadIs) and match.field in INDEXED and type(match.value) is str:
            return self._indexed.get((match.field, match.value), ())
        return self._events

    def events_since(self, seq, role=None, topics=None, match=None):
        """Return events after `seq`, optionally only from `role`, in `topics`, matching."""
        with self._lock:
            held = self._held(match)
            newer = list(itertools.takewhile(lambda e: e.seq > seq, reversed(held)))
        return [e for e in reversed(newer) if _wanted(e, role, topics, match)]

    def wait_after(self, seq, timeout, role=None, topics=None, match=None):
        """Block until a wanted event newer than `seq` arrives, or `timeout`.

        `match(payload)` narrows the wait to one record, so that with many exchanges
        in flight each waiter wakes for its own events, not for everybody's.
        """
        waiter = _Waiter(role, topics, match)
        with self._lock:
            if self._has_after(seq, role, topics, match):
                return self._seq
            self._waiters.add(waiter)
        try:
            waiter.woken.wait(timeout)
        finally:
            with self._lock:
                self._waiters.discard(waiter)
        return self.seq

    def _has_after(self, seq, role, topics, match):
        for event in reversed(self._held(match)):
            if event.seq <= seq:
                return False
            if _wanted(event, role, topics, match):
                return True
        return False

    def _handler_class(self):
        hub = self
        key = hub.api_key.encode()

        class Handler(GuardedHandler):
            def route(self, method):
                parts = self.path.split("?", 1)[0].strip("/").split("/")
                given = self.headers.get("x-api-key", "").encode("latin-1", "replace")
                if not hmac.compare_digest(given, key):
                    raise WebhookKeyRefused("Bad webhook key.")
                if len(parts) < 4 or parts[0] != "webhooks" or parts[2] != "topic":
                    raise NoSuchWebhook("No such webhook route.")
                if method != "POST":
                    raise MethodNotAllowed("Webhooks are POSTed.", allow=("POST",))
                body = self.read_body(MAX_BODY)
                payload = jsonsafe.loads(body or b"{}", MAX_DEPTH, "The webhook body")
                if not isinstance(payload, dict):
                    raise BadRequest("A webhook body is a JSON object.")
                hub.publish(parts[1], parts[3], payload)
                return 200, b"", {}

        return Handler


class _Waiter:
    """One thread waiting in `wait_after`, and what it waits for."""

    __slots__ = ("match", "role", "topics", "woken")

    def __init__(self, role, topics, match):
        self.role, self.topics, self.match = role, topics, match
        self.woken = threading.Event()

    def wants(self, event):
        """Whether `event` is for this waiter (when its `match` fails, let it look itself)."""
        try:
            return _wanted(event, self.role, self.topics, self.match)
        except Exception:  # the waiter's own look raises it, in its own thread
            return True


def _keys(payload):
    """Return the (field, value) index keys of a payload (string values only)."""
    return tuple((f, v) for f in INDEXED if type(v := payload.get(f)) is str)


def _wanted(event, role, topics, match):
    return (
        (role is None or event.role == role)
        and (topics is None or event.topic in topics)
        and (match is None or match(event.payload))
    )
