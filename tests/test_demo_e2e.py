"""`tessera demo` as a person runs it: three URLs and two passwords, a process killed
is started again, Ctrl-C stops every process, a second run reuses the data, and a busy
port is one clear message."""

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from browser.demo_helpers import READY_TIMEOUT, demo_port_offset, processes_under

from wallet.agent.deployment import Deployment
from wallet.agent.process import port_in_use
from wallet.demo import UI_PORTS
from wallet.inbox.holder import inbox_port
from wallet.settings import HOST, Settings
from wallet.webvh.deploy import publish_dir
from wallet.webvh.world import homes

pytestmark = pytest.mark.e2e

URL_LINE = re.compile(r"^  (wallet|issuer|verifier) +(http://127\.0\.0\.1:(\d+)/)$", re.M)
PASSWORD_LINE = re.compile(r"^  (issuer|verifier) console password: (\S+)$", re.M)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STOP_TIMEOUT = 90


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_demo(home, offset, out, background=False):
    """Start `python -m wallet.cli demo` in a session of its own, stdout and stderr to `out`.

    `background`: start it as a shell's background job is started, with SIGINT ignored.
    """
    env = {
        **os.environ,
        "TESSERA_HOME": str(home),
        "TESSERA_PORT_OFFSET": str(offset),
        "PYTHONUNBUFFERED": "1",
    }
    with open(out, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "wallet.cli", "demo"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_ignore_sigint if background else None,
        )


def wait_for_banner(proc, out, timeout=READY_TIMEOUT):
    """Poll the demo's output until it says it is running; return (urls, passwords)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out.read_text(errors="replace")
        if "Press Ctrl-C" in text:
            urls = {m[1]: m[2] for m in URL_LINE.finditer(text)}
            passwords = dict(PASSWORD_LINE.findall(text))
            return urls, passwords
        if proc.poll() is not None:
            pytest.fail(f"tessera demo exited with {proc.returncode} before it was ready:\n{text}")
        time.sleep(0.1)
    ctrl_c(proc)
    pytest.fail(f"tessera demo did not print its URLs within {timeout:.0f} s:\n{text}")


def ctrl_c(proc):
    """Send SIGINT to the demo's process group, as Ctrl-C in its terminal would; wait."""
    os.killpg(proc.pid, signal.SIGINT)
    return proc.wait(timeout=STOP_TIMEOUT)


def published_files(home):
    """Return {path: sha256} of every file the issuer firm publishes (its web root)."""
    root = publish_dir(homes(home)["issuer"])
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def pids_running(*parts):
    """Return pids of live processes whose command line holds every one of `parts`."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                line = handle.read().decode(errors="replace")
        except OSError:
            continue
        if all(part in line for part in parts):
            found.append(int(entry))
    return found


def answers(url):
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def kill_each_and_time(home, offset):
    """SIGKILL each firm's agent and the inbox; return {what: seconds until it answers
    again}, a new process in its place (the demo supervises them)."""
    deployment = Deployment(Settings(home=home, port_offset=offset))
    targets = {
        role: (
            (str(homes(home)[role]), "wallet.agent.launch"),
            f"http://{HOST}:{deployment.ports(role).admin}/status/ready",
        )
        for role in ("issuer", "verifier")
    }
    targets["inbox"] = (
        (str(home), "wallet.inbox"),
        f"http://{HOST}:{inbox_port(Settings(home=home, port_offset=offset))}/health",
    )
    took = {}
    for what, (parts, ready_url) in targets.items():
        (pid,) = pids_running(*parts)
        assert answers(ready_url), f"{what} does not answer before the kill"
        began = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        deadline = began + 60
        while not (set(pids_running(*parts)) - {pid} and answers(ready_url)):
            assert time.monotonic() < deadline, f"the demo did not start {what} again"
            time.sleep(0.1)
        took[what] = round(time.monotonic() - began, 1)
    return took


def check_answers(urls, passwords):
    """Each URL answers; the wallet asks for a passphrase; each console accepts its password."""
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        wallet = client.get(urls["wallet"])
        assert wallet.status_code == 200 and wallet.url.path == "/setup"
        for role in ("issuer", "verifier"):
            login = client.get(urls[role])
            assert login.status_code == 200 and login.url.path == "/login"
            token = CSRF.search(login.text)[1]
            form = {"csrf_token": token, "password": passwords[role]}
            home = client.post(login.url, data=form)
            assert home.status_code == 200, home.text
            assert home.url.path.startswith(f"/{role}"), home.url


def test_demo_runs_restarts_what_dies_stops_everything_and_runs_again_on_the_same_data(
    tmp_path, capsys
):
    home, offset = tmp_path / "home", demo_port_offset()
    ui = {name: port + offset for name, port in UI_PORTS.items()}

    started = time.monotonic()
    first = start_demo(home, offset, tmp_path / "first.out")
    urls, passwords = wait_for_banner(first, tmp_path / "first.out")
    first_start = time.monotonic() - started
    try:
        assert urls == {name: f"http://127.0.0.1:{port}/" for name, port in ui.items()}
        assert set(passwords) == {"issuer", "verifier"} and all(passwords.values())
        check_answers(urls, passwords)
        running = processes_under(home)
        assert len(running) >= 3, "the inbox and two agents should run"  # the scan is not blind
        seeded = published_files(home)
        assert ".well-known/did.jsonl" in seeded, seeded
        web_root = publish_dir(homes(home)["issuer"])
        index = json.loads((web_root / "resources" / "index.json").read_text())
        assert index["schemas"] and index["credentialDefinitions"], index
        assert not (home / "registry").exists()  # no directory shared by the parties
        back_in = kill_each_and_time(home, offset)
        check_answers(urls, passwords)
    finally:
        code = ctrl_c(first)
    assert code == 0
    printed = (tmp_path / "first.out").read_text()
    assert "Stopped." in printed
    assert "HTTP/1.1" not in printed  # no request log burying the URLs and passwords
    assert processes_under(home) == []
    assert not any(port_in_use(port) for port in ui.values())

    started = time.monotonic()
    # The second run starts as a background job does (SIGINT ignored); Ctrl-C still stops it.
    second = start_demo(home, offset, tmp_path / "second.out", background=True)
    again, passwords_again = wait_for_banner(second, tmp_path / "second.out")
    second_start = time.monotonic() - started
    try:
        assert again == urls
        assert passwords_again == passwords  # kept with the data, not made anew
        check_answers(again, passwords_again)
    finally:
        assert ctrl_c(second) == 0
    assert published_files(home) == seeded  # nothing published or created again
    assert processes_under(home) == []
    with capsys.disabled():
        print(f"\ntessera demo start: first {first_start:.1f} s, second {second_start:.1f} s")
        print(f"seconds from kill -9 to answering again: {back_in}")


def test_demo_with_a_busy_ui_port_says_so_and_starts_nothing(tmp_path):
    home, offset = tmp_path / "home", demo_port_offset()
    busy = UI_PORTS["issuer"] + offset
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        squatter.bind(("127.0.0.1", busy))
        squatter.listen()
        done = subprocess.run(
            [sys.executable, "-m", "wallet.cli", "demo"],
            env={**os.environ, "TESSERA_HOME": str(home), "TESSERA_PORT_OFFSET": str(offset)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"127.0.0.1:{busy} is in use" in lines[0] and "TESSERA_PORT_OFFSET" in lines[0]
    assert "issuer" in lines[0]
    assert "running" not in done.stdout
    assert processes_under(home) == []
