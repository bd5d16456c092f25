"""Fixtures: three parties in three homes, the issuer's HTTPS server the only thing shared."""

import contextlib
import datetime

import pytest
from conftest import free_port_offset

from wallet import scenario
from wallet.agent.handle import Agent
from wallet.agent.process import port_in_use
from wallet.agent.webhooks import WebhookHub
from wallet.settings import ROLES, Settings
from wallet.webvh.deploy import PUBLISH_PORT, Network
from wallet.webvh.parties import issuer_certificate, running_party
from wallet.webvh.tls import LocalCA


def webvh_offset():
    """Return a port offset with every world port and the publication port free."""
    while True:
        offset = free_port_offset()
        if not port_in_use(PUBLISH_PORT + offset):
            return offset


@contextlib.contextmanager
def parties_world(base, now=None):
    """Start issuer, holder and verifier each in its own home under `base`; yield a World.

    The world also carries `parties` (role -> Party), `network` and `homes`.
    """
    now = now or datetime.datetime.now(datetime.UTC)
    offset = webvh_offset()
    ca = LocalCA(base / "ca").ensure(now)  # stands for the public CA system
    network = Network.local(offset, ca.cert_file)
    homes = {role: base / role for role in ROLES}
    settings = {role: Settings(home=homes[role], port_offset=offset) for role in ROLES}
    tls = issuer_certificate(ca, settings["issuer"], network, now)
    hub = WebhookHub().start()
    try:
        with contextlib.ExitStack() as stack:
            parties = {
                role: stack.enter_context(
                    running_party(
                        settings[role], role, network, hub, tls=tls if role == "issuer" else None
                    )
                )
                for role in ROLES
            }
            world = scenario.World(
                *(Agent(role, parties[role].deployment.admin(role), hub) for role in ROLES),
                schemas=scenario.load_all(),
            )
            world.parties, world.network, world.homes = parties, network, homes
            yield world
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def webvh_world(tmp_path_factory):
    """One three-party world for a test module."""
    with parties_world(tmp_path_factory.mktemp("parties")) as world:
        yield world
