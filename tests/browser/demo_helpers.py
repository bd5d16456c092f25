"""Helpers for tests of `tessera demo`: a port offset where every demo port is free, the
processes a demo left behind, and the demo world run in a thread."""

import contextlib
import os
import threading

from conftest import free_port_offset

from wallet.agent.config import load_role_file, ports_of
from wallet.agent.process import port_in_use
from wallet.demo import UI_PORTS
from wallet.inbox.holder import INBOX_PORT
from wallet.settings import ROLES
from wallet.tails.server import TAILS_PORT
from wallet.webvh.deploy import PUBLISH_PORT

READY_TIMEOUT = 240.0


def demo_base_ports():
    """Return every port the demo listens on, before the offset."""
    agents = [p for role in ROLES for p in ports_of(load_role_file(role))]
    return sorted({*UI_PORTS.values(), *agents, INBOX_PORT, TAILS_PORT, PUBLISH_PORT})


def demo_port_offset():
    """Return an offset that puts every demo port (UIs, agents, inbox, tails) on a free port."""
    base = demo_base_ports()
    while True:
        offset = free_port_offset()
        if not any(port_in_use(p + offset) for p in base):
            return offset


def processes_under(home):
    """Return pids of live processes whose command line mentions `home`."""
    home = str(home)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(home in arg for arg in argv):
            pids.append(int(entry))
    return pids


@contextlib.contextmanager
def demo_in_thread(settings, timeout=READY_TIMEOUT):
    """Run `wallet.demo.run` in a thread; yield the running `Demo`; stop it on exit."""
    from wallet import demo

    stop, ready, failure = threading.Event(), threading.Event(), []
    world = []

    def on_ready(running):
        world.append(running)
        ready.set()

    def target():
        try:
            demo.run(settings, stop, on_ready=on_ready)
        except BaseException as exc:  # reported to the test below, not swallowed
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=target, name="demo-world", daemon=True)
    thread.start()
    try:
        if not ready.wait(timeout):
            raise TimeoutError(f"The demo world was not ready within {timeout:.0f} s.")
        if failure:
            raise failure[0]
        yield world[0]
    finally:
        stop.set()
        thread.join(60)
        if thread.is_alive():
            raise RuntimeError("The demo world did not stop within 60 s of being asked to.")
        if failure and world:
            raise failure[0]
