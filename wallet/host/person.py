"""One logged-in person on a host instance: their agent on PostgreSQL, their holder service.

The person's wallet is the single-person wallet's own `HolderService`, built from the same
parts, with four differences:
- their Tessera files are served by their `Vault` (sealed, in PostgreSQL), mounted under
  a virtual directory nothing can create on disk (`/dev/null/...`): a file operation that
  bypassed the vault would fail instead of writing their data in clear;
- their agent runs on ACA-Py's `postgres_storage`, in a database of their own, with the
  Askar store key derived from their passphrase as on a single-person wallet; the
  passphrase, a per-start admin key and the database password reach it through its
  stdin pipe (never a file, a command line or the environment);
- their inbox is the host's (PostgreSQL), delivering to their agent while they are here;
- automatic backups into a folder of the server are not offered (download one instead).
"""

import contextlib
import json
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import durable
from ..agent.admin import AdminClient
from ..agent.config import Ports, load_role_file, resolve_args, split_secrets, write_arg_file
from ..agent.process import AgentProcess, port_in_use
from ..errors import AgentStartError, InputError
from ..holder.autobackup import ScheduledBackups
from ..holder.errors import WrongPassphrase
from ..holder.inbox import InboxLink
from ..holder.runner import wrong_key_in
from ..holder.service import HolderService
from ..settings import HOST, Settings
from .db import AGENT_ROLE

VIRTUAL_ROOT = Path("/dev/null/tessera-hosted")
NO_FOLDER_BACKUPS = (
    "Automatic backups into a folder are for a wallet on your own machine. On a hosted "
    "Tessera, use Back up now to download an encrypted backup and keep it yourself."
)


@dataclass(frozen=True)
class PersonSettings(Settings):
    """A hosted person's settings: real `home` for temporary files, data under `virtual`."""

    virtual: Path = field(default=VIRTUAL_ROOT)

    def role_dir(self, role):
        """Return the role's directory: virtual, served by the person's vault."""
        return Path(self.virtual) / "agents" / role


class PortPool:
    """Loopback port pairs (inbound, admin) for the agents of one instance."""

    def __init__(self, first, count):
        """Hand out ports first .. first + count - 1, two per agent."""
        self.first = first
        self.count = count
        self._used = set()
        self._lock = threading.Lock()

    def take(self):
        """Return free `Ports`; `AgentStartError` when none is left."""
        with self._lock:
            for base in range(self.first, self.first + self.count - 1, 2):
                pair = (base, base + 1)
                if base in self._used or any(port_in_use(p) for p in pair):
                    continue
                self._used.add(base)
                return Ports(*pair)
        raise AgentStartError("No free port for another agent on this instance.")

    def give_back(self, ports):
        """Return a pair to the pool."""
        with self._lock:
            self._used.discard(ports.inbound)


class HostedRunner:
    """Starts and stops one person's holder agent on `postgres_storage`."""

    def __init__(self, host, account, ports, workdir):
        """Use the host's settings (`host.config`), the account, its ports and a work folder."""
        self.host = host
        self.account = account
        self.ports = ports
        self.workdir = Path(workdir)
        self._proc = None
        self._admin = None

    def _options(self, passphrase, webhook_url, api_key):
        config = self.host.config
        resolved = resolve_args(
            load_role_file("holder"),
            ports=self.ports,
            api_key=api_key,
            wallet_key=passphrase,
            webhook_url=webhook_url,
            registry_dir=config.registry_dir,
            endpoint=f"{self.host.public_inbox_url}/didcomm/{self.account.inbox_id}",
            loopback_egress=config.loopback_egress,
        )
        resolved["wallet-storage-type"] = "postgres_storage"
        resolved["wallet-name"] = self.account.db_name
        resolved["wallet-storage-config"] = json.dumps(
            {"url": f"{config.pg_host}:{config.pg_port}", "max_connections": config.agent_pool}
        )
        resolved["wallet-storage-creds"] = json.dumps(
            {"account": AGENT_ROLE, "password": config.agent_db_password}
        )
        resolved["log-level"] = config.agent_log_level
        resolved["plugin-config-value"] = [
            *resolved["plugin-config-value"],
            f"tessera_inbound.inbox_url={self.host.inbox_url}",
            f"tessera_inbound.person_id={self.account.inbox_id}",
            f"tessera_inbound.control_key_file={config.control_key_file}",
        ]
        return resolved

    def start(self, passphrase, webhook_url):
        """Start the agent with the passphrase as wallet key; return its admin client."""
        api_key = secrets.token_urlsafe(32)  # this start's only: never written anywhere
        public, hidden = split_secrets(self._options(passphrase, webhook_url, api_key))
        arg_file = write_arg_file(public, self.workdir / "run" / "args.yml")
        admin = AdminClient(f"http://{HOST}:{self.ports.admin}", api_key=api_key)
        proc = AgentProcess(
            "holder",
            arg_file,
            home=self.workdir / "home",
            log_path=self.workdir / "agent.log",
            ports=self.ports,
            admin=admin,
            secrets=hidden,
        )
        offset = proc.log_path.stat().st_size if proc.log_path.exists() else 0
        try:
            proc.start(timeout=self.host.config.agent_timeout)
        except AgentStartError:
            with open(proc.log_path, "rb") as handle:
                handle.seek(offset)
                if wrong_key_in(handle.read().decode(errors="replace")):
                    raise WrongPassphrase() from None
            raise
        finally:
            arg_file.unlink(missing_ok=True)
        self._proc = proc
        self._admin = AdminClient(f"http://{HOST}:{self.ports.admin}", api_key=api_key)
        return self._admin

    @property
    def pid(self):
        """Return the agent's pid, or None."""
        return self._proc.pid if self._proc else None

    def stop(self):
        """Stop the agent (waits for it to exit)."""
        if self._proc is not None:
            self._proc.stop()
            self._proc = None
        if self._admin is not None:
            self._admin.close()
            self._admin = None


class LocalInboxClient:
    """The wallet's inbox calls, answered by the host's own inbox (no HTTP in between)."""

    def __init__(self, inbox):
        """Use the instance's `wallet.inbox.service.Inbox` on PostgreSQL."""
        self.inbox = inbox

    def healthy(self):
        """Return True: the inbox runs in this process."""
        return True

    def pending_count(self, person_id):
        """Return how many envelopes wait."""
        return self.inbox.pending_count(person_id)

    def hold(self, person_id):
        """Hold delivery (the wallet is closing)."""
        self.inbox.hold(person_id)
        return {"held": True}

    def deliver_now(self, person_id):
        """Deliver everything waiting; return the report."""
        report = self.inbox.deliver_now(person_id)
        return asdict(report) if report else {}

    def register(self, person_id, deliver_to):
        """Deliver to the person's agent here."""
        return self.inbox.register(person_id, deliver_to)


class HostedInboxLink(InboxLink):
    """The person's queue in the host's inbox, delivered to their agent's port on this instance."""

    def __init__(self, inbox, person_id, target):
        """Deliver `person_id`'s envelopes to `target` (their agent's inbound URL)."""
        super().__init__(LocalInboxClient(inbox), person_id, own=False)
        self.target = target

    def release(self, agent, deliver_to):
        """Deliver what waited to this person's agent (not the single-person port)."""
        return super().release(agent, self.target)


class HostedBackups(ScheduledBackups):
    """Automatic backups: not into a folder of the server (the schedule stays empty)."""

    def turn_on(self, schedule, wallet_key, passphrase, confirm=None):
        """Refuse, saying what to do instead."""
        raise InputError(NO_FOLDER_BACKUPS)


class HostedHolderService(HolderService):
    """The single-person `HolderService`, its files in the vault and its backups downloaded."""

    exporter = None  # set by the host: exporter(service, out, wallet_key, passphrase)

    @property
    def first_run(self):
        """Return True until the wallet was set up (its marker lives in the vault)."""
        return not durable.exists(self.marker)

    def export_backup(self, out, wallet_key, passphrase):
        """Write a backup a single-person wallet restores (`make demo`); the key is checked."""
        self.require()
        backoff = self.session.backoff
        backoff.check()
        try:
            info = self.exporter(self, out, wallet_key, passphrase)
        except WrongPassphrase:
            backoff.failure()
            raise
        backoff.success()
        return info

    def restore(self, source, passphrase):
        """Refuse: a hosted account takes a backup in at sign-up."""
        raise InputError(
            "On a hosted Tessera a backup is brought in when you sign up: log out and choose "
            "Sign up from a backup."
        )


def person_root(account):
    """Return the virtual directory a person's data is served under."""
    return VIRTUAL_ROOT / account.id


@contextlib.contextmanager
def mounted_vault(root, backend):
    """Serve `root` from `backend` for the duration of the block."""
    durable.mount(root, backend)
    try:
        yield
    finally:
        durable.unmount(root)


def remove_workdir(path):
    """Delete a person's work folder on this instance (run files, agent HOME)."""
    shutil.rmtree(Path(path) / "run", ignore_errors=True)


def wait_until(predicate, timeout, interval=0.2):
    """Return True once `predicate()` holds, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
