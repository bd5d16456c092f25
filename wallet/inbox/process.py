"""Supervise the inbox as its own process: start (wait for /health), restart, stop, kill -9.

The inbox holds the only copy of what firms sent while the wallet is locked, and firms'
agents give up after about 40 s, so it must always run:

- a supervisor thread restarts it within about a second whenever it dies (however it
  dies), backing off up to a few seconds while it keeps failing to start;
- the child watches a pipe from its supervisor (its stdin) and exits when the pipe
  closes, so it never outlives the process that started it (even one killed with
  `kill -9`) and never sits as an orphan on its port.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..errors import AgentStartError
from ..settings import HOST
from .client import InboxClient
from .holder import control_key, inbox_port, inbox_root

LOG = logging.getLogger("tessera.inbox")
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
RESTART_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)


class InboxProcess:
    """`python -m wallet.inbox` for one data dir, logging to <home>/inbox/inbox.log."""

    def __init__(self, settings, python=sys.executable, supervise=True):
        """Describe the process; nothing starts until `start()`."""
        self.settings = settings
        self.python = python
        self.supervise = supervise
        self.port = inbox_port(settings)
        self.log_path = inbox_root(settings) / "inbox.log"
        self.client = InboxClient(f"http://{HOST}:{self.port}", control_key(settings))
        self.restarts = 0
        self._proc = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher = None

    @property
    def pid(self):
        """Return the running child's pid, or None."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def start(self, timeout=READY_TIMEOUT):
        """Start the inbox, return once it answers /health; then keep it running."""
        with self._lock:
            self._stopping.clear()
            if not self.running():
                self._spawn(timeout)
        if self.supervise and (self._watcher is None or not self._watcher.is_alive()):
            self._watcher = threading.Thread(target=self._watch, name="inbox-watch", daemon=True)
            self._watcher.start()
        return self

    def _spawn(self, timeout):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        repo_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo_root, env.get("PYTHONPATH")]))
        command = [self.python, "-m", "wallet.inbox", "--home", str(self.settings.home)]
        command += ["--port-offset", str(self.settings.port_offset), "--exit-with-stdin"]
        with open(self.log_path, "ab") as log:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        old, self._proc = self._proc, proc
        if old is not None:
            self._reap(old)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AgentStartError(
                    f"The inbox exited during start (code {proc.returncode}); see {self.log_path}."
                )
            if self.client.healthy():
                return
            time.sleep(0.05)
        self._kill(proc)
        raise AgentStartError(
            f"The inbox did not answer within {timeout:.0f} s; see {self.log_path}."
        )

    def _watch(self):
        failures = 0
        while not self._stopping.is_set():
            proc = self._proc
            if proc is not None:
                self._reap(proc)
            if self._stopping.wait(RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]):
                return
            with self._lock:
                if self._stopping.is_set() or self.running():
                    continue
                LOG.warning("inbox died (code %s); restarting it", proc and proc.returncode)
                try:
                    self._spawn(READY_TIMEOUT)
                except AgentStartError as exc:
                    failures += 1
                    LOG.error("inbox restart failed (attempt %d): %s", failures, exc)
                    continue
                failures = 0
                self.restarts += 1
                LOG.info("inbox restarted (pid %d)", self._proc.pid)

    def running(self):
        """Return True while the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def wait_ready(self, timeout=READY_TIMEOUT):
        """Block until the inbox answers /health (after a crash, once restarted)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running() and self.client.healthy():
                return self
            time.sleep(0.05)
        raise AgentStartError(f"The inbox was not back within {timeout:.0f} s.")

    def kill(self):
        """Kill the process at once (SIGKILL), as a crash would; the supervisor restarts it."""
        proc = self._proc
        if proc is not None:
            self._kill(proc)

    @classmethod
    def _kill(cls, proc):
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        cls._reap(proc)

    @staticmethod
    def _reap(proc):
        """Wait for a child to end, then close our end of its pipe."""
        proc.wait()
        if proc.stdin is not None and not proc.stdin.closed:
            proc.stdin.close()

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop supervising, then stop the process: SIGTERM, SIGKILL after `timeout` seconds."""
        self._stopping.set()
        with self._lock:
            proc = self._proc
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._kill(proc)
            if proc is not None:
                self._reap(proc)
        if self._watcher is not None:
            self._watcher.join(timeout)

    def close(self):
        """Stop the process and close the control client."""
        self.stop()
        self.client.close()
