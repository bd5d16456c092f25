"""A local PostgreSQL cluster of Tessera's own: initdb, start, stop, on loopback only.

Used by the tests (a throwaway cluster in a temporary directory) and by the local hosted
demo (`tessera host --local-cluster`). PostgreSQL refuses to run as root, and CI runs as
root: then the cluster runs as the unprivileged user `tessera-pg` (created if missing)
and its directory is given to that user. The superuser's password reaches `initdb`
through a pipe, never a file.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from ..errors import ConfigError
from ..settings import HOST

SERVICE_USER = "tessera-pg"
SUPERUSER = "tessera"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def pg_bin(environ=None):
    """Return PostgreSQL's bin directory: $TESSERA_PG_BIN, else Debian's newest."""
    environ = os.environ if environ is None else environ
    if environ.get("TESSERA_PG_BIN"):
        return Path(environ["TESSERA_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise ConfigError(
            "PostgreSQL is not installed: apt-get install postgresql (Debian's packages), "
            "or set TESSERA_PG_BIN to the folder holding initdb and postgres."
        )
    return found[-1].parent


def service_user():
    """Return the user the cluster runs as: the current one, or `tessera-pg` under root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SERVICE_USER


class LocalCluster:
    """One cluster in `directory` listening on 127.0.0.1:`port` (and a socket in its folder)."""

    def __init__(self, directory, port, password, max_connections=300, bindir=None, durable=True):
        """Describe the cluster; nothing runs until `start()`.

        `durable=False` (throwaway test clusters only) skips fsync: faster, and a clean
        stop still keeps everything.
        """
        self.durable = durable
        self.directory = Path(directory)
        self.port = int(port)
        self.password = password
        self.max_connections = max_connections
        self.bindir = Path(bindir) if bindir else pg_bin()
        self.user = service_user()
        self._proc = None
        self._log = None

    @property
    def data(self):
        """Return the cluster's data directory."""
        return self.directory / "data"

    @property
    def log_path(self):
        """Return the server's log file."""
        return self.directory / "postgres.log"

    def url(self, database="postgres", user=SUPERUSER, password=None):
        """Return a libpq URL for `database` on this cluster."""
        secret = self.password if password is None else password
        return f"postgresql://{user}:{secret}@{HOST}:{self.port}/{database}"

    def _as_user(self):
        if self.user is None:
            return {}
        entry = pwd.getpwnam(self.user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _give(self, path):
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def init(self):
        """Create the cluster on first use (superuser `tessera`, SCRAM passwords only)."""
        if (self.data / "PG_VERSION").exists():
            return self
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o711 if self.user else 0o700)
        self._give(self.directory)
        read, write = os.pipe()
        if self.user is not None:  # the pipe must be the service user's to open it by name
            entry = pwd.getpwnam(self.user)
            os.fchown(read, entry.pw_uid, entry.pw_gid)
        os.write(write, (self.password + "\n").encode())
        os.close(write)
        try:
            result = subprocess.run(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    SUPERUSER,
                    "--pwfile=/dev/stdin",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                    *([] if self.durable else ["--no-sync"]),
                ],
                stdin=read,
                capture_output=True,
                text=True,
                check=False,
                cwd="/",
                **self._as_user(),
            )
        finally:
            os.close(read)
        if result.returncode != 0:
            raise ConfigError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
        return self

    def start(self, timeout=START_TIMEOUT):
        """Start the server (a child process) and wait until it accepts connections."""
        self.init()
        self.log_path.touch()
        self._give(self.log_path)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        options = {
            "listen_addresses": HOST,
            "port": str(self.port),
            "unix_socket_directories": str(self.directory),
            "max_connections": str(self.max_connections),
            "fsync": "on" if self.durable else "off",
            "synchronous_commit": "on" if self.durable else "off",
            "full_page_writes": "on" if self.durable else "off",
            "log_min_messages": "warning",
            "log_min_error_statement": "panic",  # no statement text in the log
        }
        command = [str(self.bindir / "postgres"), "-D", str(self.data)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd="/",
            start_new_session=True,
            **self._as_user(),
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ConfigError(
                    f"PostgreSQL exited during start (code {self._proc.returncode}); "
                    f"see {self.log_path}:\n{self._tail()}"
                )
            probe = subprocess.run(
                [str(self.bindir / "pg_isready"), "-h", HOST, "-p", str(self.port), "-q"],
                check=False,
            )
            if probe.returncode == 0:
                return
            time.sleep(0.1)
        raise ConfigError(f"PostgreSQL was not ready after {timeout:.0f} s; see {self.log_path}.")

    def _tail(self, lines=15):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def running(self):
        """Return True while the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop the server: fast shutdown (SIGINT), then SIGKILL after `timeout` seconds."""
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.send_signal(signal.SIGINT)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self):
        """Stop and start again (connections are cut; data stays)."""
        self.stop()
        return self.start()

    def remove(self):
        """Stop and delete the cluster's directory."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def throwaway(directory, port, password):
    """Run a fresh cluster in `directory` for the duration of the block, then delete it."""
    cluster = LocalCluster(directory, port, password)
    try:
        yield cluster.start()
    finally:
        cluster.remove()
