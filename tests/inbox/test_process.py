"""The inbox process is supervised: back after a crash, gone (port free) when its parent dies."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import free_port_offset

from wallet.agent.process import port_in_use
from wallet.inbox.holder import holder_person_id
from wallet.inbox.process import InboxProcess
from wallet.settings import Settings

from .envelopes import HOLDER_KID, WIRE, envelope
from .hostile import exchange, request
from .polling import wait_until


def alive(pid):
    """Return True while a process with `pid` exists (and is not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def settings(tmp_path):
    return Settings(home=tmp_path / "home", port_offset=free_port_offset())


def test_a_killed_inbox_is_back_within_seconds_with_its_queue(settings):
    inbox = InboxProcess(settings)
    try:
        inbox.start()
        person = holder_person_id(settings)
        inbox.client.register_keys(person, [HOLDER_KID])
        inbox.client.hold(person)
        body = envelope()
        post = request("POST", f"/didcomm/{person}", body, {"Content-Type": WIRE})
        assert exchange(inbox.port, post).status == 202
        for crash in range(1, 4):
            first = inbox.pid
            started = time.monotonic()
            inbox.kill()
            inbox.wait_ready(timeout=20)
            print(f"crash {crash}: back after {time.monotonic() - started:.2f} s")
            wait_until(lambda n=crash: inbox.restarts == n, "the supervisor to count the restart")
            assert inbox.pid != first
            assert inbox.client.pending_count(person) == 1
    finally:
        inbox.close()
    assert not port_in_use(inbox.port)  # stopped for good: not restarted after close()


PARENT = textwrap.dedent(
    """
    import sys, time
    from wallet.inbox.process import InboxProcess
    from wallet.settings import Settings
    inbox = InboxProcess(Settings(home=sys.argv[1], port_offset=int(sys.argv[2]))).start()
    print(inbox.pid, flush=True)
    time.sleep(600)
    """
)


def test_the_inbox_does_not_outlive_a_parent_killed_with_sigkill(settings):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(settings.home), str(settings.port_offset)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        port = InboxProcess(settings).port
        assert alive(child) and port_in_use(port)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        wait_until(lambda: not alive(child), "the orphaned inbox to exit")
        wait_until(lambda: not port_in_use(port), "the inbox's port to be free")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()
