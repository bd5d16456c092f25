"""Shared fixtures: free loopback ports and real agents for end-to-end tests."""

import contextlib
import os
from pathlib import Path

import pytest

from wallet.agent.config import load_role_file, ports_of
from wallet.agent.process import port_in_use
from wallet.agent.webhooks import WebhookHub
from wallet.demo import UI_PORTS
from wallet.inbox.holder import INBOX_PORT
from wallet.settings import ROLES
from wallet.tails.server import TAILS_PORT
from wallet.webvh.deploy import PUBLISH_PORT

# Each test run scans upwards from here for a port offset under which every port a
# world can bind is free. Parallel runs on one machine can set TESSERA_TEST_PORT_BASE apart.
PORT_BASE = int(os.environ.get("TESSERA_TEST_PORT_BASE", "20000"))
_next_offset = [PORT_BASE]


def pytest_sessionstart(session):
    """In CI (TESSERA_REQUIRE_BROWSER=1) a missing browser fails the run instead of skipping."""
    if not os.environ.get("TESSERA_REQUIRE_BROWSER"):
        return
    problems = []
    if not os.access("/usr/bin/chromium", os.X_OK):
        problems.append("/usr/bin/chromium is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("playwright is not installed (pip install -e '.[test]')")
    if problems:
        raise pytest.UsageError("Browser tests cannot run: " + "; ".join(problems))


def world_ports():
    """Return every port (before the offset) a test world or the demo binds."""
    agents = [p for role in ROLES for p in ports_of(load_role_file(role))]
    return [*agents, INBOX_PORT, TAILS_PORT, PUBLISH_PORT, *UI_PORTS.values()]


def free_port_offset():
    """Return a new offset (never handed out before in this run) with every world port free.

    Every world of a test run takes its offset from here, so two worlds never share one,
    and a running demo (or any other listener) on one of the ports moves the world on.
    """
    base_ports = world_ports()
    while True:
        offset = _next_offset[0]
        _next_offset[0] += 100
        if offset + max(base_ports) > 65535:
            raise RuntimeError("No free port range found for the agents.")
        if not any(port_in_use(p + offset) for p in base_ports):
            return offset


@contextlib.contextmanager
def agent_world(home, loopback_egress=True):
    """Start issuer, holder and verifier on fresh data; yield a World.

    Each party has its own home (the person's is `home`, the firms' under `home/firms`)
    and the issuer publishes on did:webvh from its own HTTPS server, the only thing the
    parties share. `world.settings` is the person's; `world.parties` has each party.
    Every party is on this machine, so its agents may connect to loopback;
    `loopback_egress=False` starts them with the production setting.
    """
    from wallet import scenario
    from wallet.webvh.world import agents, running_parties

    hub = WebhookHub().start()
    try:
        with running_parties(home, free_port_offset(), hub=hub, loopback=loopback_egress) as (
            parties,
            network,
        ):
            by_role = agents(parties, hub)
            world = scenario.World(*(by_role[role] for role in ROLES), scenario.load_all())
            world.procs = {role: party.process for role, party in parties.items()}
            world.settings = parties["holder"].settings
            world.parties, world.network = parties, network
            yield world
    finally:
        hub.stop()


@contextlib.contextmanager
def seeded_agent_world(home):
    """An `agent_world` with schemas published, the holder connected and credentials issued."""
    from wallet import scenario

    with agent_world(home) as world:
        scenario.seed_issuer(world)
        scenario.connect_holder(world)
        world.cred_ids = scenario.issue_person(world, scenario.load_person())
        yield world


@pytest.fixture(scope="session")
def seeded_world(tmp_path_factory):
    """One running world for the session, shared by tests that do not damage it."""
    with seeded_agent_world(tmp_path_factory.mktemp("world")) as world:
        yield world


@pytest.fixture
def fresh_world(tmp_path):
    """A running world of its own, for tests that damage something."""
    with agent_world(tmp_path / "world") as world:
        yield world


def files_holding(root, needle):
    """Return every file under `root` whose bytes contain `needle` (a secret kept off disk)."""
    found = []
    for path in Path(root).rglob("*"):
        try:
            if path.is_file() and needle in path.read_bytes():
                found.append(path)
        except OSError:
            continue  # a file removed while we looked
    return found
