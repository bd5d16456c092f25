"""A world whose holder has the inbox as its DIDComm endpoint from the first connection."""

import contextlib

import pytest
from conftest import free_port_offset

from wallet import scenario
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.webhooks import WebhookHub
from wallet.inbox.holder import holder_endpoint, holder_person_id
from wallet.inbox.process import InboxProcess
from wallet.settings import Settings


class Holder:
    """The holder's agent process, stoppable ("lock") and startable ("unlock")."""

    def __init__(self, deployment, hub, endpoint):
        """Describe it; `start()` runs it."""
        self.deployment, self.hub, self.endpoint = deployment, hub, endpoint
        self.proc = None

    def start(self):
        """Start the holder agent with its endpoint on the inbox."""
        self.proc = self.deployment.process(
            "holder", webhook_url=self.hub.url_for("holder"), endpoint=self.endpoint
        )
        self.proc.start()

    def stop(self):
        """Stop the holder agent (the wallet locks)."""
        if self.proc is not None:
            self.proc.stop()
            self.proc = None


@contextlib.contextmanager
def inbox_world(home):
    """Inbox process, issuer and verifier, and a holder whose endpoint is the inbox."""
    settings = Settings(home=home, port_offset=free_port_offset(), loopback_egress=True)
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    inbox = InboxProcess(settings)
    holder = Holder(deployment, hub, holder_endpoint(settings))
    try:
        inbox.start()
        with running_agents(deployment, ("issuer", "verifier"), hub=hub):
            holder.start()
            world = scenario.make_world(deployment, hub)
            world.settings, world.deployment = settings, deployment
            world.inbox, world.holder_agent = inbox, holder
            world.person_id = holder_person_id(settings)
            yield world
    finally:
        holder.stop()
        inbox.close()
        hub.stop()
        deployment.close()


@pytest.fixture
def inbox_world_running(tmp_path):
    """A running inbox world with the issuer seeded and the holder connected to both firms."""
    with inbox_world(tmp_path / "world") as world:
        scenario.seed_issuer(world)
        scenario.connect_holder(world)
        yield world
