"""Wait for an agent's state by webhook event, or by polling, always with a deadline."""

import time

from ..errors import WaitTimeout

# With a hub, a refetch happens at least this often even if no event arrives, so a
# lost webhook costs at most this much time, never a hang.
SAFETY_RECHECK = 2.0
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
    clock=time.monotonic,
):
    """Call `fetch()` until `done(value)` is true and return that value.

    With a webhook `hub`, each new wanted event (from `role`, on `topics`, for which
    `match(payload)` holds) triggers the next fetch; without
    one, fetch polls every POLL_INTERVAL. `done` may raise to stop early on a state
    that cannot lead to success. Raises `WaitTimeout` naming `what` at the deadline.
    """
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
