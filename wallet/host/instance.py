"""One host instance: the people logged in here, admission, leases, the inbox, housekeeping.

Any number of instances share one PostgreSQL. Each runs at most `max_people` agents at
once (past that, sign-up and login answer "busy, try again in a minute"), takes a
person's lease before starting their agent, renews it while they stay, and gives it back
when they log out or their wallet locks itself. A login for someone open on another
instance asks that instance (`NOTIFY`) to close them first; a dead instance's lease runs
out after `lease_ttl` seconds. One sweeper thread renews leases and runs every wallet's
housekeeping (idle lock); one listener thread hears the database's notifications.
"""

import contextlib
import datetime
import logging
import threading
import time
from dataclasses import dataclass

import psycopg

from .. import durable
from ..errors import WalletError
from ..flows.revocation import StatusCache
from ..holder.responders import Responders
from ..holder.revocation import RevocationWatch
from ..holder.session import Session
from ..inbox.delivery import Deliverer
from ..inbox.service import Inbox, InboxServer
from ..schemas import load_all
from ..settings import HOST
from .accounts import Accounts
from .db import Database
from .errors import Busy, HostError, LeaseLost, OpenElsewhere, StoreUnavailable
from .inbox_pg import CHANNEL, PgInboxStore
from .leases import Leases
from .person import (
    HostedBackups,
    HostedHolderService,
    HostedInboxLink,
    HostedRunner,
    PersonSettings,
    PortPool,
    person_root,
    remove_workdir,
    wait_until,
)
from .vault import MountedVault, Vault

LOG = logging.getLogger("tessera.host")
RELEASE = "tessera_release"


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


@dataclass
class Person:
    """A person logged in on this instance."""

    account: object
    lease: object
    vault: Vault
    root: object
    service: HostedHolderService
    runner: HostedRunner
    ports: object
    app: object = None
    renewed: float = 0.0


class Instance:
    """A host instance: build with a `HostConfig`, `start()`, then sign people up and in."""

    def __init__(
        self,
        config,
        db=None,
        schemas=None,
        wall_clock=_utcnow,
        clock=time.monotonic,
        revocation_interval=60.0,
    ):
        """Prepare (nothing runs until `start()`)."""
        self.config = config
        self.db = db or Database(config.database_url, max_size=max(10, config.max_people))
        self.accounts = Accounts(self.db, config.scrypt_n)
        self.leases = Leases(self.db, config.instance, config.lease_ttl)
        self.ports = PortPool(config.agent_ports, 2 * config.max_people + 40)
        self.schemas = schemas if schemas is not None else load_all()
        self.wall_clock = wall_clock
        self.clock = clock
        self.revocation_interval = revocation_interval
        self.store = PgInboxStore(self.db)
        self.inbox = None
        self.inbox_server = None
        self.people = {}
        self.dispatcher = None  # set by the web face
        self.app_factory = None  # set by the web face: builds a person's wallet app
        self.exporter = None  # set by `moving`: writes a hosted person's backup
        self._opening = 0
        self._starting = {}  # account id -> lease of a wallet still opening (renewed too)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._threads = []

    # Life cycle

    def start(self):
        """Create the tables, serve the inbox face, start the sweeper and the listener."""
        self.db.migrate()
        self.config.instance_dir.mkdir(parents=True, exist_ok=True)
        self.inbox = Inbox(self.store, Deliverer(self.store).start())
        self.inbox_server = InboxServer(
            self.inbox, self.config.control_key_file.read_text().strip(), self.config.inbox_port
        ).start()
        for target, name in (
            (self._sweep_loop, "host-sweeper"),
            (self._listen_loop, "host-listener"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        LOG.info("host instance %s: inbox on %s", self.config.instance, self.inbox_url)
        return self

    @property
    def inbox_url(self):
        """Return this instance's inbox face on loopback (key registrations go there)."""
        return self.inbox_server.url

    @property
    def public_inbox_url(self):
        """Return where firms send a person's messages (the load balancer, or this inbox)."""
        return self.config.public_inbox_url or self.inbox_url

    def stop(self):
        """Close every person's wallet (leases given back), stop the threads and the inbox."""
        self._stopping.set()
        for account_id in list(self.people):
            self.close(account_id, "the instance stops")
        for thread in self._threads:
            thread.join(10)
        if self.inbox_server is not None:
            self.inbox_server.stop()
        self.db.close()

    # Admission

    @contextlib.contextmanager
    def _admit(self):
        with self._lock:
            if len(self.people) + self._opening >= self.config.max_people:
                raise Busy()
            self._opening += 1
        try:
            yield
        finally:
            with self._lock:
                self._opening -= 1

    def load(self):
        """Return (people open, starting, cap) on this instance."""
        with self._lock:
            return len(self.people), self._opening, self.config.max_people

    # Leases

    def _take_lease(self, account_id):
        lease = self.leases.take(account_id)
        if lease is not None:
            return lease
        holder = self.leases.holder(account_id)
        self.db.run("SELECT pg_notify(%s, %s)", (RELEASE, account_id))
        taken = []
        if wait_until(
            lambda: taken.append(self.leases.take(account_id)) or taken[-1],
            self.config.release_wait,
        ):
            return taken[-1]
        raise OpenElsewhere(holder.remaining if holder else self.config.lease_ttl)

    # Opening and closing a person's wallet

    def open(self, opened, passphrase, create=False, prepare=None):
        """Open (or create) the wallet of an `Opened` account here; return (Person, session id).

        `prepare(vault)` runs once the vault is mounted, before the agent starts (an import
        fills it). Whatever started is stopped again if a later step fails.
        """
        account = opened.account
        with self._lock:
            person = self.people.get(account.id)
        if person is not None and not create:
            return person, person.service.unlock(passphrase)
        with self._admit():
            lease = self._take_lease(account.id)
            root = person_root(account)
            vault = Vault(self.db, account.id, opened.keys.subkey("files"), lease)
            person = None
            durable.mount(root, MountedVault(vault))
            with self._lock:
                self._starting[account.id] = lease  # the sweeper renews it while the agent starts
            try:
                if prepare is not None:
                    prepare(vault)
                person = self._build(account, lease, vault, root)
                if create:
                    sid = person.service.setup(passphrase, passphrase)
                else:
                    sid = person.service.unlock(passphrase)
                if self.app_factory is not None:
                    person.app = self.app_factory(self, person)
                if not self.leases.renew(lease):  # taken over while starting: give up here
                    raise LeaseLost()
                person.renewed = self.clock()
            except BaseException:
                with self._lock:
                    self._starting.pop(account.id, None)
                self._undo(account, lease, root, person)
                raise
            with self._lock:
                self._starting.pop(account.id, None)
                self.people[account.id] = person
        LOG.info("host %s: wallet %s opened", self.config.instance, account.id)
        return person, sid

    def _build(self, account, lease, vault, root):
        ports = self.ports.take()
        workdir = self.config.instance_dir / "agents" / account.id
        runner = HostedRunner(self, account, ports, workdir)
        settings = PersonSettings(
            home=workdir / "tmp", loopback_egress=self.config.loopback_egress, virtual=root
        )
        data_dir = settings.role_dir("holder") / "tessera"
        scrypt = {"scrypt_n": self.config.scrypt_n} if self.config.scrypt_n != 2**15 else {}
        session = Session(
            data_dir,
            runner,
            clock=self.clock,
            wall_clock=self.wall_clock,
            idle_timeout=self.config.idle_timeout,
            **scrypt,
        )
        revocation = RevocationWatch(
            StatusCache.for_settings(settings),
            now=lambda: self.wall_clock().timestamp(),
            interval=self.revocation_interval,
        )
        service = HostedHolderService(
            settings,
            session,
            HostedInboxLink(self.inbox, account.inbox_id, f"http://{HOST}:{ports.inbound}"),
            HostedBackups(settings, data_dir, now=self.wall_clock),
            revocation,
            Responders(data_dir, self.schemas, self.wall_clock),
            timer_interval=None,
        )
        service.exporter = lambda svc, out, key, phrase: self.exporter(
            self, account, svc, out, key, phrase
        )
        return Person(account, lease, vault, root, service, runner, ports)

    def _undo(self, account, lease, root, person):
        if person is not None:
            with contextlib.suppress(WalletError, OSError):
                person.service.lock()
            self.store.forget(account.inbox_id)
            self.ports.give_back(person.ports)
        durable.unmount(root)
        with contextlib.suppress(StoreUnavailable):
            self.leases.end(lease)

    def close(self, account_id, why="logged out"):
        """Lock a person's wallet here (agent stopped, inbox held) and give the lease back."""
        with self._lock:
            person = self.people.pop(account_id, None)
        if person is None:
            return False
        try:
            person.service.lock()
        except WalletError as exc:
            LOG.warning("host: closing %s: %s", account_id, exc)
        self.store.forget(person.account.inbox_id)
        durable.unmount(person.root)
        self.ports.give_back(person.ports)
        remove_workdir(person.runner.workdir)
        try:
            self.leases.end(person.lease)
        except StoreUnavailable:
            LOG.warning("host: lease of %s not ended (database down); it runs out", account_id)
        LOG.info("host %s: wallet %s closed (%s)", self.config.instance, account_id, why)
        return True

    def person(self, account_id):
        """Return the `Person` open here with that account id, or None."""
        with self._lock:
            return self.people.get(account_id)

    # Housekeeping

    def sweep(self):
        """Renew leases, lock idle wallets, run due automatic work; close what locked."""
        with self._lock:
            starting = list(self._starting.values())
        for lease in starting:  # an agent may take longer to start than a lease lasts
            try:
                self.leases.renew(lease)
            except HostError as exc:
                LOG.warning("host: renewing the lease of %s: %s", lease.account, exc)
        for person in list(self.people.values()):
            try:
                if self.clock() - person.renewed >= self.config.lease_ttl / 3:
                    if not self.leases.renew(person.lease):
                        self.close(person.account.id, "its lease was taken over")
                        continue
                    person.renewed = self.clock()
                person.service.tick()
            except HostError as exc:
                LOG.warning("host: housekeeping for %s: %s", person.account.id, exc)
            except WalletError as exc:
                LOG.warning("host: housekeeping for %s failed: %s", person.account.id, exc)
            if not person.service.unlocked:
                self.close(person.account.id, "locked")

    def _sweep_loop(self):
        while not self._stopping.wait(self.config.tick):
            self.sweep()

    def _listen_loop(self):
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    self.config.database_url, autocommit=True, connect_timeout=5
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    conn.execute(f"LISTEN {RELEASE}")
                    self._catch_up()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._heard(note.channel, note.payload)
            except psycopg.Error as exc:
                LOG.info("host: notification listener reconnects (%s)", type(exc).__name__)
                self._stopping.wait(1.0)

    def _catch_up(self):
        """After (re)connecting: deliver whatever may have arrived unheard."""
        for person_id in self.store.people():
            if not self.store.held(person_id):
                self.inbox.deliverer.trigger(person_id)

    def _heard(self, channel, payload):
        if channel == CHANNEL:
            if not self.store.held(payload):
                self.inbox.deliverer.trigger(payload)
        elif channel == RELEASE and self.person(payload) is not None:
            threading.Thread(
                target=self.close, args=(payload, "opened on another instance"), daemon=True
            ).start()
