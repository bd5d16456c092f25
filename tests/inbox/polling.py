"""Wait for a state with a deadline (never a fixed sleep): the inbox tests' one helper."""

import time


def wait_until(check, what, timeout=30.0, interval=0.05):
    """Poll `check()` until truthy; return its value, or fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)
    return value
