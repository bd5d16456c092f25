"""Start one party (issuer, holder or verifier) in its own home, as on its own machine.

The issuer party is its agent, its loopback tails upload server and its HTTPS
publication server; a holder or verifier party is its agent alone. Each party has its
own `Settings` (home), so its keys, stores, caches and logs are its own.
"""

import contextlib
import datetime
import shutil
from dataclasses import dataclass, field

from ..agent.deployment import Deployment
from ..settings import Settings
from ..tails.server import TAILS_PORT
from .deploy import Network, WebvhAgents, party_dir, publish_dir
from .server import PublicationServer
from .tls import LocalCA, ServerCert


@dataclass
class Party:
    """A running party: its deployment, agent process and (issuer) publication server."""

    role: str
    settings: Settings
    deployment: Deployment
    process: object
    servers: list = field(default_factory=list)

    @property
    def publication(self) -> PublicationServer | None:
        """Return the issuer's publication server (None for other parties)."""
        return next((s for s in self.servers if isinstance(s, PublicationServer)), None)


def deployment_for(settings: Settings, network: Network) -> Deployment:
    """Return the deployment of a party whose home is `settings.home`."""
    tails_port = TAILS_PORT + settings.port_offset
    return Deployment(settings, registry=WebvhAgents(settings.home, network, tails_port))


def issuer_certificate(
    ca: LocalCA, settings: Settings, network: Network, now: datetime.datetime
) -> ServerCert:
    """Return the issuer server's certificate from the local CA (tests and demo)."""
    return ca.issue_server([network.site.host], party_dir(settings.home) / "tls", now)


def publication_server(settings: Settings, network: Network, tls: ServerCert, http_port=None):
    """Return the issuer's publication server (not started)."""
    return PublicationServer(
        publish_dir(settings.home),
        network.site.port or 443,
        tls,
        tails_dir=settings.home / "tails",
        http_port=http_port,
    )


def start_party(settings, role, network, hub=None, tls: ServerCert | None = None, http_port=None):
    """Start a party and return its `Party`; on failure, stop what was started and raise.

    The issuer needs `tls`, its server certificate and key.
    """
    deployment = deployment_for(settings, network)
    party = Party(role, settings, deployment, None)
    try:
        if role == "issuer":
            if tls is None:
                raise ValueError("The issuer party needs its server certificate (tls=...)")
            party.servers.append(deployment.tails_server().start())
            party.servers.append(publication_server(settings, network, tls, http_port).start())
        webhook = hub.url_for(role) if hub else None
        party.process = deployment.process(role, webhook_url=webhook)
        party.process.start()
    except BaseException:
        stop_party(party)
        raise
    return party


def stop_party(party: Party) -> None:
    """Stop the party's agent, then its servers; close its admin clients."""
    if party.process is not None:
        party.process.stop()
    for server in reversed(party.servers):
        server.stop()
    party.servers.clear()
    party.deployment.close()


@contextlib.contextmanager
def running_party(settings, role, network, hub=None, tls: ServerCert | None = None, http_port=None):
    """Start a party; yield its `Party`; stop everything it started on exit."""
    party = start_party(settings, role, network, hub, tls, http_port)
    try:
        yield party
    finally:
        stop_party(party)


def restart_agent(party: Party, hub=None, forget_cache: bool = False) -> None:
    """Stop the party's agent and start it again; with `forget_cache`, on an empty cache."""
    party.process.stop()
    if forget_cache:
        shutil.rmtree(party_dir(party.settings.home) / "cache" / party.role, ignore_errors=True)
    webhook = hub.url_for(party.role) if hub else None
    party.process = party.deployment.process(party.role, webhook_url=webhook)
    party.process.start()
