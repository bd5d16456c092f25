"""Fixtures for the Credo interop tests: a Credo agent per test, or a clear reason why not.

Outside CI a machine without Node 20 or without tests/interop's npm packages skips these
tests with the reason; in CI (`CI` set, as `.ci/run` does) that is a failure.
"""

import contextlib

import pytest
from conftest import free_port_offset
from webvh.hosts import ensure_mapping

from wallet.agent.process import port_in_use

from .credo import CredoAgent, in_ci, require_setup, setup_problem

CREDO_PORT = 8090  # before a world's port offset; no world port uses it


@pytest.fixture(scope="session")
def credo_available():
    """Fail in CI, skip elsewhere, when the Credo harness cannot run here."""
    require_setup(setup_problem(), in_ci())


def free_credo_port():
    """Return a loopback port above TESSERA_TEST_PORT_BASE that nothing listens on."""
    while True:
        port = free_port_offset() + CREDO_PORT
        if not port_in_use(port):
            return port


@contextlib.contextmanager
def running_credo(world, label, home, **options):
    """Run a Credo agent that resolves `world`'s issuer on did:webvh itself; stop it after.

    Node looks names up with getaddrinfo, so the issuer's `*.localhost` name must be in
    /etc/hosts (written here as root, as `.ci/run` does; a missing line fails), and it
    trusts the world's local CA through NODE_EXTRA_CA_CERTS, that process alone.
    """
    ensure_mapping(world.network.site.host)
    agent = CredoAgent.start(
        label=label,
        port=free_credo_port(),
        registry={"kind": "webvh"},
        home=home,
        env={"NODE_EXTRA_CA_CERTS": str(world.network.ca_cert)},
        **options,
    )
    try:
        yield agent
    finally:
        agent.stop()


@pytest.fixture(scope="module")
def credo_verifier(credo_available, seeded_world, tmp_path_factory):
    """A Credo verifier firm for the shared seeded world (it also verifies `indy` proofs)."""
    home = tmp_path_factory.mktemp("credo-verifier")
    with running_credo(seeded_world, "Credo Verifier Firm", home, indy_keeps_ids=True) as agent:
        yield agent


@pytest.fixture(scope="module")
def credo_holder(credo_available, seeded_world, tmp_path_factory):
    """A Credo holder (a mobile wallet, say) for the shared seeded world."""
    home = tmp_path_factory.mktemp("credo-holder")
    with running_credo(seeded_world, "Credo Holder", home) as agent:
        yield agent
