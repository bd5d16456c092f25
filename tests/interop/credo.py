"""Start, drive and stop one Credo agent (`tests/interop/credo/driver.mjs`) from a test.

The agent runs in its own Node process on 127.0.0.1; requests and answers are JSON
lines on its stdin and stdout, its log goes to a file. It stops when its stdin closes,
so it also stops when the test process dies.
"""

import contextlib
import importlib.util
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "credo" / "driver.mjs"
NODE_MAJOR = 20
# What `.ci/run` installs (npm ci --ignore-scripts, then npm rebuild of these two).
NATIVE_BINDINGS = (
    "node_modules/@2060.io/ref-napi/build/Release/binding.node",
    "node_modules/@2060.io/ffi-napi/build/Release/ffi_bindings.node",
)
# Credo's native libraries are the ones shipped inside the PyPI wheels ACA-Py uses.
NATIVE_LIBS = {
    "LIB_ASKAR_PATH": ("aries_askar", "libaries_askar.so"),
    "LIB_ANONCREDS_PATH": ("anoncreds", "libanoncreds.so"),
}


class CredoError(RuntimeError):
    """The Credo driver refused a request, died, or did not answer in time."""


def native_lib_env():
    """Return {env var: directory} pointing Credo at the wheels' native libraries."""
    env = {}
    for var, (package, filename) in NATIVE_LIBS.items():
        spec = importlib.util.find_spec(package)
        folder = Path(spec.origin).parent if spec and spec.origin else None
        if folder is None or not (folder / filename).is_file():
            raise CredoError(f"{filename} not found in the Python package {package}")
        env[var] = str(folder)
    return env


def in_ci(environ=os.environ):
    """Tell whether this run is CI's (`CI` set, as `.ci/run` does)."""
    return environ.get("CI", "").lower() not in ("", "0", "false")


def require_setup(problem, ci):
    """Fail in CI, skip elsewhere (with the reason), when `problem` is not None."""
    if problem is None:
        return
    if ci:
        pytest.fail(f"Credo interop tests cannot run in CI: {problem}")
    pytest.skip(f"Credo interop tests need Node 20 and tests/interop's packages: {problem}")


def setup_problem(here=HERE):
    """Return why the Credo harness cannot run on this machine, or None when it can."""
    node = shutil.which("node")
    if node is None:
        return "node is not on PATH (install Node.js 20)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = version.stdout.strip().lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < NODE_MAJOR:
        return f"Node {version.stdout.strip() or '?'} is too old; Credo 0.6 needs Node 20"
    if not (here / "node_modules" / "@credo-ts" / "didcomm" / "package.json").is_file():
        return "tests/interop has no node_modules: run the npm steps of .ci/run"
    missing = [b for b in NATIVE_BINDINGS if not (here / b).is_file()]
    if missing:
        return f"native bindings not built ({', '.join(missing)}): run `bash .ci/run`"
    try:
        native_lib_env()
    except CredoError as err:
        return str(err)
    return None


class CredoAgent:
    """A running Credo agent: `call(op, **args)` sends one request and returns its result."""

    def __init__(self, process, log_path):
        """Wrap a started driver process (use `start`)."""
        self.process = process
        self.log_path = log_path
        self.endpoint = None
        self._ids = itertools.count(1)
        self._answers = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def start(cls, *, label, port, registry, home, indy_keeps_ids=False, timeout=60.0, env=None):
        """Start the driver; return the agent once it says it is ready (CredoError if not).

        `env` adds environment variables (the local CA Node must trust, for one).
        """
        home = Path(home)
        home.mkdir(parents=True, exist_ok=True)
        config = {
            "label": label,
            "port": port,
            "registry": registry,
            "indyKeepsIds": indy_keeps_ids,
        }
        env = {**os.environ, **native_lib_env(), **(env or {}), "HOME": str(home)}
        log_path = home / "credo.log"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                ["node", str(DRIVER), json.dumps(config)],
                cwd=HERE,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        agent = cls(process, log_path)
        try:
            ready = agent._wait_answer("ready", timeout)
            agent.endpoint = ready["endpoint"]
        except CredoError:
            agent.stop()
            raise
        return agent

    def _read(self):
        """Route each line the driver prints to whoever waits for its id."""
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            key = "ready" if message.get("ready") else message.get("id")
            self._box(key).put(message)
        self._box("eof").put(None)

    def _box(self, key):
        with self._lock:
            return self._answers.setdefault(key, queue.Queue())

    def _wait_answer(self, key, timeout):
        box, eof = self._box(key), self._box("eof")
        try:
            return box.get(timeout=timeout)
        except queue.Empty:
            pass
        if not eof.empty() or self.process.poll() is not None:
            raise CredoError(f"The Credo driver exited ({self.process.poll()}): {self.log_tail()}")
        raise CredoError(f"The Credo driver gave no answer to {key!r} within {timeout:.0f} s")

    def call(self, op, timeout=60.0, **args):
        """Run one op; return its result, or raise CredoError with the driver's message."""
        if {"id", "op", "timeout_ms"} & args.keys():
            raise ValueError(f"{op}: id, op and timeout_ms are the driver's own fields")
        request_id = next(self._ids)
        request = {"id": request_id, "op": op, "timeout_ms": int(timeout * 1000), **args}
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError) as err:
            raise CredoError(f"The Credo driver is gone: {self.log_tail()}") from err
        answer = self._wait_answer(request_id, timeout + 10)
        if not answer.get("ok"):
            raise CredoError(f"Credo {op} failed: {answer.get('error')}")
        return answer["result"]

    def log_tail(self, lines=20):
        """Return the end of the driver's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout=15.0):
        """Close stdin so the agent shuts down; kill it if it does not within `timeout`."""
        if self.process.poll() is None:
            with contextlib.suppress(BrokenPipeError):  # the driver may be gone already
                self.process.stdin.close()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()
