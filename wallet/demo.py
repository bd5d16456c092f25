"""`tessera demo`: a world a newcomer can click through, on 127.0.0.1 only.

An issuer firm (identity and income credentials) and a verifier firm run their
ACA-Py agents and web consoles; the person's wallet UI starts its own agent when
the person unlocks it, behind the always-on inbox. As on three machines, each party
has its own home (the person's is $TESSERA_HOME, the firms' under its `firms/`) and
the issuer publishes on did:webvh from its own HTTPS server, which the others reach as
`issuer.tessera.localhost` through a local CA the demo makes and only its agents trust.
First run seeds the issuer; later runs reuse the data and start in seconds.
Everything stops on Ctrl-C.
"""

import datetime
import functools
import threading
from dataclasses import dataclass, field, replace

from werkzeug.serving import make_server

from . import console, web
from .agent.handle import Agent
from .agent.process import port_in_use
from .agent.supervisor import Watched
from .agent.webhooks import WebhookHub
from .errors import AgentStartError
from .flows import issue
from .inbox.process import InboxProcess
from .schemas import load_all
from .settings import HOST
from .tails.server import TailsServer
from .webvh import world

UI_PORTS = {"wallet": 5000, "issuer": 5001, "verifier": 5002}

WALKTHROUGH = """\
Open the wallet and choose a passphrase: it becomes the key of your wallet's store.
In the issuer console, create an invitation and paste its link into the wallet
(Connections); issue yourself a national identity and an income credential, and
accept both offers in the wallet. In the verifier console, create an invitation,
connect the wallet to it too, then send a request such as "Age at least 18": the
wallet's consent screen shows exactly what would leave it; approve, and the
verifier console shows what it proved and what it did not receive."""


@dataclass
class Demo:
    """What a running demo holds, so it can be stopped in order."""

    urls: dict = field(default_factory=dict)
    passwords: dict = field(default_factory=dict)
    issuer_did: str = ""
    cred_defs: dict = field(default_factory=dict)
    servers: list = field(default_factory=list)
    apps: dict = field(default_factory=dict)
    watches: dict = field(default_factory=dict)  # what restarts a dead firm agent or server
    inbox: object = None
    parties: dict = field(default_factory=dict)


def ui_ports(settings):
    """Return each UI's port, shifted by the port offset like the agents'."""
    return {name: port + settings.port_offset for name, port in UI_PORTS.items()}


def seed(issuer, schemas):
    """Publish every schema and credential definition (reused when already there)."""
    issuer_did = issue.issuer_id(issuer)
    cred_defs = {}
    for name, schema in schemas.items():
        schema_id = issue.publish_schema(issuer, issuer_did, schema)
        cred_defs[name] = issue.create_cred_def(issuer, issuer_did, schema_id)
    return issuer_did, cred_defs


def supervise(parties, hub, interval=0.5):
    """Restart a firm's agent, or the issuer's tails server, when it dies; return the watches."""
    watches = {}
    for role, party in parties.items():
        watches[role] = Watched(
            f"{role}'s agent",
            lambda party=party: party.process.running(),
            functools.partial(_restart_agent, party, hub),
            interval,
        )
        for server in party.servers:
            if isinstance(server, TailsServer):
                watches["tails"] = Watched("tails server", server.running, server.restart, interval)
    return watches


def _restart_agent(party, hub):
    """Start a dead party's agent again (same ports, same stores, same webhook hub)."""
    old = party.process
    old.reap()
    old.admin.close()
    party.process = party.deployment.process(
        party.role, webhook_url=hub.url_for(party.role) if hub else None
    )
    party.process.start()


def _serve(app, port):
    server = make_server(HOST, port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name=f"ui-{port}", daemon=True).start()
    return server


def run(settings, stop_event, on_ready=None, wallet=True):
    """Run the demo until `stop_event` is set; call `on_ready(demo)` once all is up.

    `wallet=False` runs only the firms (a hosted Tessera serves the people).
    """
    settings = replace(settings, loopback_egress=True)  # every party is on this machine
    ports = ui_ports(settings)
    if not wallet:
        ports.pop("wallet")
    for name, port in ports.items():
        if port_in_use(port):
            raise AgentStartError(
                f"Cannot start the {name} UI: {HOST}:{port} is in use. "
                "Stop what uses it, or set TESSERA_PORT_OFFSET to move every port."
            )
    schemas = load_all()
    now = datetime.datetime.now(datetime.UTC)
    network = world.local_network(settings.home, settings.port_offset, now)
    homes = world.party_settings(settings.home, settings.port_offset, network)
    person = homes["holder"]  # the person's own home, its agent on did:webvh too
    hub = WebhookHub().start()
    inbox = InboxProcess(person) if wallet else None
    demo = Demo()
    try:
        if inbox is not None:
            inbox.start()
        with world.running_parties(
            settings.home, settings.port_offset, ("issuer", "verifier"), hub=hub, now=now
        ) as (parties, _network):
            demo.parties, demo.inbox = parties, inbox
            demo.watches = supervise(parties, hub)
            try:
                issuer = Agent("issuer", parties["issuer"].deployment.admin("issuer"), hub)
                verifier = Agent("verifier", parties["verifier"].deployment.admin("verifier"), hub)
                demo.issuer_did, demo.cred_defs = seed(issuer, schemas)
                demo.apps = {
                    "issuer": console.create_app(
                        "issuer", issuer, _console_config(homes, "issuer")
                    ),
                    "verifier": console.create_app(
                        "verifier",
                        verifier,
                        {
                            **_console_config(homes, "verifier"),
                            "TRUSTED_ISSUERS": [demo.issuer_did],
                        },
                    ),
                }
                if wallet:
                    demo.apps["wallet"] = web.create_app({"SETTINGS": person})
                for name, app in demo.apps.items():
                    demo.servers.append(_serve(app, ports[name]))
                    demo.urls[name] = f"http://{HOST}:{ports[name]}/"
                demo.passwords = {
                    role: demo.apps[role].config["CONSOLE_TOKEN"] for role in ("issuer", "verifier")
                }
                if on_ready:
                    on_ready(demo)
                stop_event.wait()
            finally:
                for watch in demo.watches.values():  # before the agents stop
                    watch.stop()
    finally:
        for server in demo.servers:
            server.shutdown()
        for role in ("issuer", "verifier"):
            if role in demo.apps:
                console.close_app(demo.apps[role])
        wallet = demo.apps.get("wallet")
        if wallet is not None:
            web.service_of(wallet).close()
        if inbox is not None:
            inbox.close()
        hub.stop()
    return demo


def _console_config(homes, role):
    """Return a firm console's config: its data in the firm's own home."""
    return {"DATA_DIR": homes[role].home / "console" / role}
