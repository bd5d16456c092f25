"""A crash world: the real inbox, issuer and verifier, and the wallet's service owning its agent.

The holder agent is the wallet's own (`ProcessRunner`, supervised): a test kills it with
SIGKILL and the wallet starts it again by itself. `FIGURES` counts every operation the
suite attempts and how it ended; the module prints them at the end.
"""

import contextlib
import os
import signal
import time

from conftest import free_port_offset

from wallet import scenario
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.handle import Agent
from wallet.agent.webhooks import WebhookHub
from wallet.holder.service import HolderService
from wallet.inbox.holder import holder_person_id
from wallet.inbox.process import InboxProcess
from wallet.schemas import load_all
from wallet.settings import Settings

PASSPHRASE = "a long enough passphrase for crashes"
FIGURES = {"attempted": 0, "completed": 0, "lost": 0, "duplicated": 0, "stuck": 0}
READY_S = {}  # what was killed -> seconds from kill to ready again


def wait_until(check, what, timeout=90.0, interval=0.1):
    """Poll `check()` until truthy (a deadline, not a fixed sleep); return its value."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)
    return value


@contextlib.contextmanager
def crash_world(home):
    """Yield a `scenario.World` whose holder is the wallet service's supervised agent."""
    settings = Settings(home=home, port_offset=free_port_offset(), loopback_egress=True)
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    inbox = InboxProcess(settings)
    service = HolderService.for_settings(
        settings, scrypt_n=2**10, revocation_interval=None, answer=False, timer_interval=None
    )
    try:
        inbox.start()
        with running_agents(deployment, ("issuer", "verifier"), hub=hub) as procs:
            service.setup(PASSPHRASE, PASSPHRASE)
            world = scenario.World(
                Agent("issuer", deployment.admin("issuer"), hub),
                service.agent,
                Agent("verifier", deployment.admin("verifier"), hub),
                load_all(),
            )
            world.settings, world.service, world.inbox = settings, service, inbox
            world.procs = procs
            world.person_id = holder_person_id(settings)
            scenario.seed_issuer(world)
            scenario.connect_holder(world)
            yield world
            service.lock()  # before the firms stop
    finally:
        service.close()
        inbox.close()
        hub.stop()
        deployment.close()


def kill_holder(world):
    """SIGKILL the wallet's agent; return once the wallet is back; record the time it took."""
    runner = world.service.session.runner
    runner.supervisor.forgive()  # a kill on purpose, not a crash loop (the suite kills often)
    began = time.monotonic()
    os.kill(runner._proc.pid, signal.SIGKILL)
    wait_until(world.service.session.agent_problem, "the wallet to notice", timeout=10)
    wait_until(lambda: world.service.session.agent_problem() is None, "the agent back")
    took = time.monotonic() - began
    READY_S.setdefault("holder agent", []).append(round(took, 1))
    return took
