"""Supervise the inbox as its own process: start (wait for /health), stop, kill -9."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..errors import AgentStartError
from ..settings import HOST
from .client import InboxClient
from .holder import control_key, inbox_port, inbox_root

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class InboxProcess:
    """`python -m wallet.inbox` for one data dir, logging to <home>/inbox/inbox.log."""

    def __init__(self, settings, python=sys.executable):
        """Describe the process; nothing starts until `start()`."""
        self.settings = settings
        self.python = python
        self.port = inbox_port(settings)
        self.log_path = inbox_root(settings) / "inbox.log"
        self.client = InboxClient(f"http://{HOST}:{self.port}", control_key(settings))
        self._proc = None

    def start(self, timeout=READY_TIMEOUT):
        """Start the inbox and return once it answers /health."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        repo_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo_root, env.get("PYTHONPATH")]))
        command = [self.python, "-m", "wallet.inbox", "--home", str(self.settings.home)]
        command += ["--port-offset", str(self.settings.port_offset)]
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise AgentStartError(
                    f"The inbox exited during start (code {self._proc.returncode}); "
                    f"see {self.log_path}."
                )
            if self.client.healthy():
                return self
            time.sleep(0.05)
        self.kill()
        raise AgentStartError(
            f"The inbox did not answer within {timeout:.0f} s; see {self.log_path}."
        )

    def running(self):
        """Return True while the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def kill(self):
        """Kill the process at once (SIGKILL), as a crash would."""
        if self.running():
            os.kill(self._proc.pid, signal.SIGKILL)
        if self._proc is not None:
            self._proc.wait()

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop the process: SIGTERM, then SIGKILL after `timeout` seconds."""
        if self.running():
            self._proc.terminate()
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self):
        """Stop the process and close the control client."""
        self.stop()
        self.client.close()
