"""A world whose holder has the inbox as its DIDComm endpoint from the first connection."""

import contextlib
import os
import shutil
import signal

import pytest
import yaml
from conftest import free_port_offset
from speedups.peers import disclosed_features

from wallet import scenario
from wallet.agent.config import AGENT_CONFIG_DIR
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.webhooks import WebhookHub
from wallet.inbox.holder import holder_endpoint, holder_person_id
from wallet.inbox.process import InboxProcess
from wallet.settings import Settings


class Holder:
    """The holder's agent process: stoppable ("lock"), startable ("unlock"), killable (-9)."""

    def __init__(self, deployment, hub, endpoint):
        """Describe it; `start()` runs it."""
        self.deployment, self.hub, self.endpoint = deployment, hub, endpoint
        self.proc = None

    @property
    def log_path(self):
        """Return the agent's log file (appended to by every run)."""
        return self.deployment.settings.role_dir("holder") / "logs" / "agent.log"

    def start(self, deployment=None):
        """Start the holder agent with its endpoint on the inbox (`deployment`: other options)."""
        self.proc = (deployment or self.deployment).process(
            "holder", webhook_url=self.hub.url_for("holder"), endpoint=self.endpoint
        )
        self.proc.start()

    def stop(self):
        """Stop the holder agent (the wallet locks)."""
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def kill(self):
        """Kill the holder agent with SIGKILL, as a crash would."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.stop()  # reaps it and closes its log


def holder_options(tmp_path, **plugin_config):
    """Return a config dir: the shipped role files, the holder's with `tessera_inbound` values."""
    config_dir = tmp_path / "agent_config"
    shutil.copytree(AGENT_CONFIG_DIR, config_dir)
    path = config_dir / "holder.yml"
    args = yaml.safe_load(path.read_text())
    values = list(args.get("plugin-config-value") or [])
    values += [f"tessera_inbound.{k}={v}" for k, v in plugin_config.items()]
    args["plugin-config-value"] = values
    path.write_text(yaml.safe_dump(args))
    return config_dir


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
    """A running inbox world with the issuer seeded and the holder connected to both firms.

    Connected means settled: the verifier's question about acks (`wallet.speedups`) is
    answered, so no message of the handshake reaches an inbox a test then holds.
    """
    with inbox_world(tmp_path / "world") as world:
        scenario.seed_issuer(world)
        scenario.connect_holder(world)
        disclosed_features(world.verifier, world.verifier_conn)
        yield world
