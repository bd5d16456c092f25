"""A world whose holder has the inbox as its DIDComm endpoint from the first connection."""

import contextlib
import os

import pytest

from wallet import scenario
from wallet.agent.config import load_role_file, ports_of
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.process import port_in_use
from wallet.agent.webhooks import WebhookHub
from wallet.inbox.holder import INBOX_PORT, holder_endpoint, holder_person_id
from wallet.inbox.process import InboxProcess
from wallet.settings import ROLES, Settings

# Start above the shared conftest's first offsets, so both can run in one session.
_next = [int(os.environ.get("TESSERA_TEST_PORT_BASE", "20000")) + 5000]


def free_offset():
    """Return a port offset under which every agent port and the inbox port are free."""
    base = [p for role in ROLES for p in ports_of(load_role_file(role))] + [INBOX_PORT]
    while True:
        offset, _next[0] = _next[0], _next[0] + 100
        if offset > 60000:
            raise RuntimeError("No free port range found for the inbox world.")
        if not any(port_in_use(p + offset) for p in base):
            return offset


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
    settings = Settings(home=home, port_offset=free_offset())
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
