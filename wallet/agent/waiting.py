"""Wait for an agent's state by webhook event, or by polling, always with a deadline."""

import logging
import time

from ..errors import WaitTimeout

LOG = logging.getLogger(__name__)

# With a hub, a refetch happens at least this often even if no event arrives, so a
# lost webhook costs at most this much time, never a hang.
SAFETY_RECHECK = 2.0
# When events carry the value itself, a refetch is only the lost-webhook fallback: under
# load an exchange may see no event for seconds, and a refetch then costs the agent
# more than the wait (a verified presentation record takes it ~80 ms of CPU to load).
EVENT_RECHECK = 10.0
POLL_INTERVAL = 0.05


def wait_for(
    fetch,
    done,
    *,
    what,
    timeout=30.0,
    hub=None,
    role=None,
    topics=None,
    match=None,
    from_event=None,
    clock=time.monotonic,
):
    """Call `fetch()` until `done(value)` is true and return that value.

    With a webhook `hub`, each new wanted event (from `role`, on `topics`, for which
    `match(payload)` holds) triggers the next fetch; without
    one, fetch polls every POLL_INTERVAL. `done` may raise to stop early on a state
    that cannot lead to success. Raises `WaitTimeout` naming `what` at the deadline.

    `from_event(payload)`, with a hub, reads the value from a wanted event's payload
    instead (None when the payload lacks what `fetch` would give, e.g. a webhook
    without `by_format`): then `fetch` runs only for such payloads or when no event
    came for EVENT_RECHECK. Events the hub still holds from before the wait count,
    so an answer that arrived before the waiter is not missed.
    """
    if hub is None or from_event is None:
        return _wait_fetching(fetch, done, what, timeout, hub, role, topics, match, clock)
    deadline = clock() + timeout
    seen, must_fetch, quiet, events = 0, False, False, None
    while True:
        if must_fetch:
            seen = hub.seq
            value = fetch()
            if done(value):
                if quiet:  # what the events never said: a webhook was lost or late
                    LOG.warning("No webhook told of %s within %.0f s; asked.", what, EVENT_RECHECK)
                return value
            events = None  # read again: from the fetch's sequence number on
        if events is None:
            events = hub.events_since(seen, role=role, topics=topics, match=match)
        must_fetch = False
        for event in events:
            seen = event.seq
            value = from_event(event.payload)
            if value is None:
                must_fetch = True
            elif done(value):
                return value
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(f"Gave up after {timeout:.0f} s waiting for {what}.")
        if must_fetch:
            continue
        hub.wait_after(seen, min(remaining, EVENT_RECHECK), role=role, topics=topics, match=match)
        # What woke it is read once, here. No wanted event within EVENT_RECHECK (one may
        # have been lost): look for real.
        events = hub.events_since(seen, role=role, topics=topics, match=match)
        must_fetch = quiet = not events


def _wait_fetching(fetch, done, what, timeout, hub, role, topics, match, clock):
    deadline = clock() + timeout
    while True:
        seq = hub.seq if hub is not None else None
        value = fetch()
        if done(value):
            return value
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(f"Gave up after {timeout:.0f} s waiting for {what}.")
        if hub is not None:
            hub.wait_after(
                seq, min(remaining, SAFETY_RECHECK), role=role, topics=topics, match=match
            )
        else:
            time.sleep(min(POLL_INTERVAL, remaining))
