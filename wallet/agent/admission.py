"""Back-pressure: admit only the exchanges the agents can answer within a bounded wait.

An agent serves exchanges at some rate (a few proofs per second on two cores); more
in flight than it can serve only lengthens a queue, and every one in it waits. The
controller admits a new exchange while fewer are in flight than the agents serve in
`target_wait` seconds (Little's law: the wait is about in-flight / rate), and refuses
the others at once with `Busy`, which says when to try again; nothing is sent for a
refused exchange. The rate is measured from the exchanges that finished in the last
`window` seconds; until enough have finished, `initial_slots` are admitted. Never fewer
than `min_slots` are admitted: on two cores the agents need about four exchanges in
flight to keep both busy (the bench's throughput at 4 in flight is ~90% of 16's), so
a machine slower than `target_wait` allows still serves at full rate, only with a
longer wait.
"""

import collections
import math
import threading
import time

from ..errors import Busy, ConfigError


class Ticket:
    """One admitted exchange; `release()` when it has ended (answered, failed or given up)."""

    def __init__(self, admission, started):
        """Remember the admission and when the exchange was admitted."""
        self._admission = admission
        self.started = started
        self._released = False

    def release(self):
        """Free the exchange's slot (a second call does nothing)."""
        if not self._released:
            self._released = True
            self._admission._release(self)

    def __enter__(self):
        """Use the ticket as a context: released when the block ends."""
        return self

    def __exit__(self, *exc):
        """Release the slot."""
        self.release()


class Admission:
    """Decide, exchange by exchange, whether the agents can take one more now."""

    def __init__(
        self,
        target_wait=3.0,
        initial_slots=8,
        min_slots=4,
        max_slots=64,
        window=20.0,
        min_samples=4,
        clock=time.monotonic,
    ):
        """Set the wait to keep under (seconds) and the bounds on exchanges in flight."""
        if not target_wait > 0 or not 1 <= min_slots <= initial_slots <= max_slots:
            raise ConfigError(
                "Admission needs target_wait > 0 and 1 <= min_slots <= initial_slots <= "
                f"max_slots (got {target_wait}, {min_slots}, {initial_slots}, {max_slots})."
            )
        self.target_wait = target_wait
        self.initial_slots = initial_slots
        self.min_slots = min_slots
        self.max_slots = max_slots
        self.window = window
        self.min_samples = min_samples
        self.clock = clock
        self._lock = threading.Lock()
        self._in_flight = 0
        self._finished = collections.deque()  # when recent exchanges ended
        self.refused = 0

    def _rate(self, now):
        """Return exchanges finished per second over the window, or None (too few yet)."""
        while self._finished and self._finished[0] < now - self.window:
            self._finished.popleft()
        if len(self._finished) < self.min_samples:
            return None
        span = max(now - self._finished[0], 1e-3)
        return (len(self._finished) - 1) / span if len(self._finished) > 1 else None

    def capacity(self):
        """Return how many exchanges may be in flight now."""
        with self._lock:
            return self._capacity(self.clock())

    def _capacity(self, now):
        rate = self._rate(now)
        if rate is None:
            return self.initial_slots
        return max(self.min_slots, min(self.max_slots, math.floor(rate * self.target_wait)))

    def in_flight(self):
        """Return how many admitted exchanges have not been released."""
        with self._lock:
            return self._in_flight

    def admit(self):
        """Return a `Ticket` for one more exchange, or raise `Busy` saying when to retry."""
        with self._lock:
            now = self.clock()
            capacity = self._capacity(now)
            if self._in_flight >= capacity:
                self.refused += 1
                rate = self._rate(now)
                # The queue ahead drains at the measured rate; one slot frees after ~1/rate.
                retry = (self._in_flight - capacity + 1) / rate if rate else self.target_wait
                raise Busy(self._in_flight, capacity, min(max(retry, 0.1), self.target_wait))
            self._in_flight += 1
            return Ticket(self, now)

    def _release(self, ticket):
        with self._lock:
            self._in_flight -= 1
            self._finished.append(self.clock())


class ExchangeGate:
    """Admission for proof requests whose end the controller learns by webhook.

    `request(send)` admits one exchange (or raises `Busy`), calls `send()` (which
    returns (pres_ex_id, thread_id), as `flows.present.request_proof` does) and keeps
    the ticket until the verifier's webhook says the exchange is done or abandoned.
    An exchange with no end after `max_age` seconds (a person who never answered) is
    released at the next request, so it cannot hold a slot for ever.
    """

    TOPIC = "present_proof_v2_0"
    ENDED = frozenset({"done", "abandoned", "deleted"})

    def __init__(self, admission, hub, role="verifier", max_age=120.0):
        """Listen on `hub` for `role`'s exchanges until `close()`."""
        self.admission = admission
        self.hub = hub
        self.role = role
        self.max_age = max_age
        self._open = {}
        self._lock = threading.Lock()
        hub.add_listener(self._on_event)

    def close(self):
        """Stop listening (tickets still open stay counted until released)."""
        self.hub.remove_listener(self._on_event)

    def request(self, send):
        """Admit one exchange, send it with `send()`, return what `send()` returned."""
        self._expire()
        ticket = self.admission.admit()
        try:
            pres_ex_id, thread_id = send()
        except BaseException:
            ticket.release()
            raise
        with self._lock:
            self._open[pres_ex_id] = ticket
        return pres_ex_id, thread_id

    def open_count(self):
        """Return how many admitted exchanges have not ended yet."""
        with self._lock:
            return len(self._open)

    def _expire(self):
        oldest = self.admission.clock() - self.max_age
        with self._lock:
            stale = [k for k, t in self._open.items() if t.started < oldest]
            tickets = [self._open.pop(k) for k in stale]
        for ticket in tickets:
            ticket.release()

    def _on_event(self, event):
        if event.role != self.role or event.topic != self.TOPIC:
            return
        if event.payload.get("state") not in self.ENDED:
            return
        with self._lock:
            ticket = self._open.pop(event.payload.get("pres_ex_id"), None)
        if ticket is not None:
            ticket.release()
