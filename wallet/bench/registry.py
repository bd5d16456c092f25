"""What the networked registry costs: cold resolution and proofs on cold and warm caches.

A credential definition resolved cold is the DID log and the resource fetched over
HTTPS from the issuer's server and verified (log chain, digest, proof), by a resolver
with nothing cached: measured in process with the agents' own resolver code, and once
through the verifier's agent. A proof on a cold cache is the first exchange after the
holder's and the verifier's agents restart with their did:webvh caches emptied.
"""

import asyncio
import time
from urllib.parse import quote

from ..webvh import build
from ..webvh.attested import CRED_DEF
from ..webvh.config import WebvhConfig
from ..webvh.deploy import trusted_ca
from ..webvh.egress import Policy
from ..webvh.parties import restart_agent
from . import exchange
from .measure import percentiles


def cold_cred_def_in_process(cred_def_id, network, home, runs):
    """Return percentiles (ms) of resolving `cred_def_id` with a fresh resolver each time."""

    async def once():
        config = WebvhConfig(
            policy=Policy(allow_loopback=network.allow_loopback),
            ca_file=trusted_ca(home, network),
        )
        registry = build(config)
        started = time.perf_counter()
        try:
            await registry.resolver.content(cred_def_id, CRED_DEF)
            return (time.perf_counter() - started) * 1000
        finally:
            await registry.resolver.fetcher.close()

    return percentiles([asyncio.run(once()) for _ in range(runs)])


def cold_cred_def_through_agent(verifier, cred_def_id):
    """Return ms for the verifier's agent to resolve a cred def it has never seen."""
    started = time.perf_counter()
    verifier.admin.get(f"/anoncreds/credential-definition/{quote(cred_def_id, safe='')}")
    return round((time.perf_counter() - started) * 1000, 1)


def cold_proofs(world, parties, hub, request, runs, log):
    """Return percentiles (ms) of the first proof after both agents restart on empty caches."""
    samples = []
    for run in range(runs):
        log(f"proof on a cold cache {run + 1}/{runs}: restarting holder and verifier")
        for role in ("holder", "verifier"):
            restart_agent(parties[role], hub, forget_cache=True)
        samples.append(exchange.prove_once(world, request))
    return percentiles(samples)
