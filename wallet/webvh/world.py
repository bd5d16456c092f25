"""A world of three parties on one machine, as if each ran on its own: homes, CA, addresses.

The person's home is `home` itself (where `tessera backup` and the wallet look for it);
the firms' homes are `home/firms/issuer` and `home/firms/verifier`; the local CA that
stands in for the public CA system is `home/firms/ca`. No party's files name another's:
each agent gets its own copy of the CA certificate, its own cache, keys and stores, and
the issuer's HTTPS server is the only thing they share.
"""

import concurrent.futures
import contextlib
import datetime
from dataclasses import replace
from pathlib import Path

from ..agent.handle import Agent
from ..settings import ROLES, Settings
from .deploy import Network, WebvhAgents
from .parties import issuer_certificate, start_party, stop_party
from .tls import LocalCA

FIRMS = "firms"


def homes(home) -> dict:
    """Return each party's home under a world's `home`."""
    home = Path(home)
    return {
        "holder": home,
        "issuer": home / FIRMS / "issuer",
        "verifier": home / FIRMS / "verifier",
    }


def ca_dir(home) -> Path:
    """Return where the world's local CA lives."""
    return Path(home) / FIRMS / "ca"


def local_network(
    home, port_offset: int, now: datetime.datetime, site=None, loopback: bool = True
) -> Network:
    """Return the one-machine network of a world: its CA made if missing, loopback allowed.

    `site` replaces the issuer's usual `issuer.tessera.localhost:8443+offset`;
    `loopback=False` gives the production egress setting (nothing on this machine).
    """
    ca = LocalCA(ca_dir(home)).ensure(now)
    network = replace(Network.local(port_offset, ca.cert_file), allow_loopback=loopback)
    return network if site is None else replace(network, site=site)


def party_settings(home, port_offset: int, network: Network) -> dict:
    """Return each party's `Settings`, its agents adapted to did:webvh with its own home."""
    return {
        role: Settings(
            home=path,
            port_offset=port_offset,
            loopback_egress=network.allow_loopback,  # every party on this machine
            agent_registry=WebvhAgents(path, network),
        )
        for role, path in homes(home).items()
    }


def person_settings(settings: Settings, now: datetime.datetime) -> Settings:
    """Return the person's settings (home and ports unchanged) adapted to did:webvh."""
    network = local_network(settings.home, settings.port_offset, now)
    return replace(
        settings,
        loopback_egress=network.allow_loopback,
        agent_registry=WebvhAgents(settings.home, network),
    )


@contextlib.contextmanager
def running_parties(
    home, port_offset, roles=ROLES, hub=None, now=None, http_port=None, site=None, loopback=True
):
    """Start the parties of `roles` (at once) in their own homes; yield ({role: Party}, network).

    Everything started is stopped on exit, also when one party fails to start. `site` and
    `http_port` are for verifiers that need the issuer on default ports (Credo).
    """
    now = now or datetime.datetime.now(datetime.UTC)
    network = local_network(home, port_offset, now, site, loopback)
    settings = party_settings(home, port_offset, network)
    tls = issuer_certificate(LocalCA(ca_dir(home)), settings["issuer"], network, now)

    def start(role):
        issuer = role == "issuer"
        return start_party(
            settings[role],
            role,
            network,
            hub,
            tls=tls if issuer else None,
            http_port=http_port if issuer else None,
        )

    failure = None
    with concurrent.futures.ThreadPoolExecutor(len(roles) or 1) as pool:
        futures = {role: pool.submit(start, role) for role in roles}
        try:
            for future in futures.values():
                future.result()
        except BaseException as err:
            failure = err  # a failed start, or Ctrl-C while waiting: the others still finish
    # Every start has ended here; whatever started is stopped below, whatever happened.
    parties = {
        role: future.result()
        for role, future in futures.items()
        if not future.cancelled() and future.exception() is None
    }
    try:
        if failure is not None:
            raise failure
        yield parties, network
    finally:
        for party in parties.values():  # all agents exit at once, then each is awaited
            if party.process is not None:
                party.process.terminate()
        for party in parties.values():
            stop_party(party)


def agents(parties, hub) -> dict:
    """Return {role: Agent} over running parties."""
    return {role: Agent(role, p.deployment.admin(role), hub) for role, p in parties.items()}
