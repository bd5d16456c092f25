"""Warm proof exchange p50 on did:webvh against the did:tessera baseline, on this machine.

Issue 16 asks that the warm p50 on did:webvh (three homes, objects fetched over HTTPS
and cached) stay within 10% of did:tessera's (one shared registry directory). This runs
the same exchange in both worlds, in alternating order round after round so a change in
the machine's load falls on both, and prints each round and the pooled figures:

    .venv/bin/python -m wallet.bench.baseline --runs 10 --rounds 4 --port-offset 300

Compare on an idle machine: on a shared one the rounds differ by more than 10% by
themselves.
"""

import argparse
import datetime
import json
import tempfile
from pathlib import Path

from .. import scenario
from ..agent.deployment import Deployment, running_agents
from ..agent.webhooks import WebhookHub
from ..holder.autorespond import AutoResponder
from ..settings import ROLES, Settings
from ..webvh.world import agents, running_parties
from . import exchange
from .measure import percentiles
from .run import bench_policy

WARM_UP = 3


def _measure(world, runs, today):
    """Seed, connect, issue; return `runs` warm exchange times (ms)."""
    scenario.seed_issuer(world)
    scenario.connect_holder(world)
    scenario.issue_person(world, scenario.load_person())
    request = scenario.age_income_request(world.cred_defs, today)
    policy = bench_policy(world.holder_conns["verifier"])
    responder = AutoResponder(world.holder, lambda: policy).start()
    try:
        exchange.latency(world, request, WARM_UP)  # caches filled
        return exchange.latency(world, request, runs)[0]
    finally:
        responder.stop()


def tessera_world(home, port_offset, runs, today):
    """Return warm exchange times on did:tessera: one home, one shared registry directory."""
    settings = Settings(home=home, port_offset=port_offset, loopback_egress=True)
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    try:
        with running_agents(deployment, ROLES, hub=hub):
            return _measure(scenario.make_world(deployment, hub), runs, today)
    finally:
        hub.stop()
        deployment.close()


def webvh_world(home, port_offset, runs, today):
    """Return warm exchange times on did:webvh: three homes, the issuer's HTTPS server."""
    hub = WebhookHub().start()
    try:
        with running_parties(home, port_offset, hub=hub) as (parties, _network):
            by_role = agents(parties, hub)
            world = scenario.World(*(by_role[r] for r in ROLES), scenario.load_all())
            return _measure(world, runs, today)
    finally:
        hub.stop()


WORLDS = {"did:tessera": tessera_world, "did:webvh": webvh_world}


def compare(base, port_offset, runs, rounds, today, log=print, worlds=None):
    """Return {"rounds": [...], method: percentiles pooled over rounds, "ratio_p50": w/t}.

    `worlds` maps each method to the function measuring it (default `WORLDS`).
    """
    worlds = worlds or WORLDS
    samples = {name: [] for name in worlds}
    per_round = []
    for number in range(rounds):
        order = list(worlds) if number % 2 == 0 else list(worlds)[::-1]
        found = {}
        for name in order:
            home = Path(base) / f"round{number}-{name.removeprefix('did:')}"
            times = worlds[name](home, port_offset, runs, today)
            samples[name] += times
            found[name] = percentiles(times)
            log(f"round {number + 1}/{rounds} {name}: {found[name]}")
        per_round.append(found)
    pooled = {name: percentiles(times) for name, times in samples.items()}
    ratio = round(pooled["did:webvh"]["p50"] / pooled["did:tessera"]["p50"], 3)
    return {"rounds": per_round, **pooled, "ratio_p50": ratio}


def main(argv=None):
    """Run the comparison and print it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="warm exchanges per world")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, order alternating")
    parser.add_argument("--port-offset", type=int, default=0)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.rounds < 1:
        parser.error("--runs and --rounds must be at least 1")
    base = tempfile.mkdtemp(prefix="tessera-baseline-")
    result = compare(base, args.port_offset, args.runs, args.rounds, datetime.date.today())
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
