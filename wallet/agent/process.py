"""Supervise one ACA-Py agent as a child process: start, wait until ready, stop."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..errors import AgentError, AgentStartError
from ..settings import HOST

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def port_in_use(port, host=HOST):
    """Return True when something already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def check_interpreter(python=sys.executable):
    """Raise `AgentStartError` when `python` cannot run ACA-Py."""
    if python == sys.executable:
        if importlib.util.find_spec("acapy_agent") is None:
            raise AgentStartError(
                f"{python} has no ACA-Py installed; run `make demo` or "
                "`pip install -e .` inside Tessera's .venv (Python 3.13)."
            )
        return
    probe = subprocess.run(
        [python, "-c", "import acapy_agent"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        raise AgentStartError(f"{python} cannot import acapy_agent: {probe.stderr.strip()}")


class AgentProcess:
    """One ACA-Py agent started from a resolved arg file, with its own HOME and log.

    `secrets` ({ACA-Py environment variable: value}) reach the agent through its stdin
    pipe, which stays open for the agent to notice when its supervisor dies.
    """

    def __init__(
        self, role, arg_file, home, log_path, ports, admin, python=sys.executable, secrets=None
    ):
        """Describe the agent; nothing starts until `start()`."""
        self.role = role
        self._secrets = dict(secrets or {})
        self.arg_file = Path(arg_file)
        self.home = Path(home)
        self.log_path = Path(log_path)
        self.ports = ports
        self.admin = admin
        self.python = python
        self._proc = None
        self._log = None

    @property
    def pid(self):
        """Return the child's pid, or None when not started."""
        return self._proc.pid if self._proc else None

    def running(self):
        """Return True while the child process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout=READY_TIMEOUT):
        """Start the agent and return once /status/ready says ready."""
        for name, port in (("inbound", self.ports.inbound), ("admin", self.ports.admin)):
            if port_in_use(port):
                raise AgentStartError(
                    f"Cannot start the {self.role} agent: its {name} port {HOST}:{port} is in use. "
                    "Stop what uses it, or set TESSERA_PORT_OFFSET to move every port."
                )
        check_interpreter(self.python)
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["HOME"] = str(self.home)
        repo_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo_root, env.get("PYTHONPATH")]))
        if self._log is not None:  # a restart after the agent died: its old log handle
            self._log.close()
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [self.python, "-m", "wallet.agent.launch", "start", "--arg-file", str(self.arg_file)],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.home,
            start_new_session=True,
        )
        try:
            try:
                self._proc.stdin.write(json.dumps(self._secrets).encode() + b"\n")
                self._proc.stdin.flush()
            except BrokenPipeError:
                pass  # it died at once; _wait_ready says so with its log
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise AgentStartError(
                    f"The {self.role} agent exited during start (code {self._proc.returncode}). "
                    f"Last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                if self.admin.ready():
                    return
            except AgentError as exc:
                last_error = exc
            time.sleep(0.05)
        raise AgentStartError(
            f"The {self.role} agent was not ready after {timeout:.0f} s "
            f"(last answer: {last_error}). Last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def log_tail(self, lines=20):
        """Return the last lines of the agent's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log written)"
        return "\n".join(text.splitlines()[-lines:])

    def reap(self):
        """Collect a child that died by itself: its exit, its pipe, its log (not the client)."""
        if self._proc is not None:
            self._proc.wait()
            if self._proc.stdin:
                self._proc.stdin.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def terminate(self):
        """Ask the agent to exit (SIGTERM) without waiting."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop the agent: SIGTERM, then SIGKILL after `timeout` seconds."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        if self._proc is not None:
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stdin:
                self._proc.stdin.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        self.admin.close()
