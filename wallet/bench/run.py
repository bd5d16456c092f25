"""`tessera bench`: measure the floor, the exchange, throughput, issuance and growth."""

import datetime
import os
import platform
import statistics
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

from .. import demo, scenario
from ..agent.admission import Admission
from ..agent.webhooks import WebhookHub
from ..consent.policy import parse_policy
from ..errors import WalletError
from ..flows import held, issue, present, revocation
from ..holder.autorespond import AutoResponder
from ..settings import ROLES, Settings
from ..webvh.world import agents, running_parties
from . import exchange, floor, registry
from .measure import CpuMeter, percentiles
from .pages import WalletPages
from .past import PastExchanges, load_fill
from .stages import ISSUE_STAGES, StageClock, summarize

SIZES = {
    "quick": {
        "latency": 10,
        "throughput": {1: 4, 4: 8, 16: 24, 64: 64},
        "issuance": {1: 4, 10: 10},
        "growth": (10, 50),
        "filled": (200,),
        "lookups": 5,
        "slow_lookups": 5,
        "history": 1000,
        "cold": 2,
        "past": (100, 1000),
        "past_listed_up_to": 1000,
    },
    "full": {
        "latency": 50,
        "throughput": {1: 30, 4: 60, 16: 96, 64: 64, 256: 256},
        "issuance": {1: 20, 10: 100},  # 10 in flight: 40 was ~3 s, its tail a quarter
        "growth": (10, 100, 1000),
        "filled": (10000,),
        "lookups": 20,
        "slow_lookups": 3,
        "history": 10000,
        "cold": 5,
        "past": (100, 1000, 10000),
        "past_listed_up_to": 1000,
    },
}


def bench_policy(verifier_connection):
    """Auto-approve the benchmark's request shape from the benchmark's verifier only.

    `verifier_connection` is the holder's connection id to the verifier.
    """
    return parse_policy(
        {
            "version": 1,
            "firms": {verifier_connection: "trusted"},
            "shapes": [
                {
                    "id": "bench-age-income",
                    "then": "approve",
                    "when": {
                        "firm": "trusted",
                        "attributes": ["nationality", "birthdate_dateint", "annual_income"],
                    },
                }
            ],
        }
    )


def machine():
    """Return the core count and software versions every figure is read against."""
    versions = {}
    for package in ("acapy-agent", "anoncreds", "aries-askar", "tessera-wallet"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def run(quick=True, home=None, port_offset=0, today=None, log=print):
    """Run the benchmark on fresh agents; return the results as a JSON-ready dict."""
    sizes = SIZES["quick" if quick else "full"]
    today = today or datetime.date.today()
    home = Path(home or tempfile.mkdtemp(prefix="tessera-bench-"))
    settings = Settings(home=home, port_offset=port_offset, loopback_egress=True)
    hub = WebhookHub().start()
    results = {
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    began = time.perf_counter()
    say = log

    def log(line):
        say(f"[{time.perf_counter() - began:4.0f} s] {line}")

    try:
        started = time.perf_counter()
        with running_parties(home, port_offset, hub=hub) as (parties, network):
            results["startup_ms"] = {"agents_fresh": round((time.perf_counter() - started) * 1000)}
            by_role = agents(parties, hub)
            world = scenario.World(*(by_role[role] for role in ROLES), scenario.load_all())
            procs = {role: party.process for role, party in parties.items()}
            person_settings = parties["holder"].settings
            log("seeding the issuer and issuing the demo credentials")
            scenario.seed_issuer(world)
            scenario.connect_holder(world)
            person = scenario.load_person()
            scenario.issue_person(world, person)
            request = scenario.age_income_request(world.cred_defs, today)

            log("floor: credentials in process")
            ground = floor.Floor(world.schemas, person, request, world.cred_defs)

            growth = _Growth(world, person, person_settings, sizes, results, log)
            try:
                growth.at(sizes["growth"][0])  # before the issuance benchmark adds more
                policy = bench_policy(world.holder_conns["verifier"])
                # Candidates through the wallet's credential index, as its rules answer.
                lookup = growth.pages.service.held.candidates
                responder = AutoResponder(world.holder, lambda: policy, lookup=lookup).start()
                try:
                    _exchanges(world, request, ground, procs, sizes, results, log)
                    _registry(world, parties, network, hub, request, sizes, results, log)
                    _with_revocation(world, person, today, sizes, results, log)
                finally:
                    responder.stop()
                for target in sizes["growth"][1:]:
                    growth.at(target)
                growth.history()
                load_fill(parties["holder"], hub)
                growth.filled()
                growth.past_exchanges()
            finally:
                growth.close()
        started = time.perf_counter()
        with running_parties(home, port_offset, hub=hub):
            results["startup_ms"]["agents_existing_data"] = round(
                (time.perf_counter() - started) * 1000
            )
        log("start-up: the demo world on this data")
        results["startup_ms"]["demo_existing_data"] = _demo_startup(settings)
    finally:
        hub.stop()
    results["duration_s"] = round(time.perf_counter() - began)  # the full run: under 12 min
    return results


def _exchanges(world, request, ground, procs, sizes, results, log):
    log(f"proof exchange latency and the floor: {sizes['latency']} runs of each, interleaved")
    exchange.latency(world, request, 2)  # warm connections and caches
    ground.sample()
    create, verify, samples, splits = [], [], [], []
    clock = StageClock(world.verifier.hub)
    try:
        for _ in range(sizes["latency"]):
            floor_create, floor_verify = ground.sample()
            create.append(floor_create)
            verify.append(floor_verify)
            elapsed, split = exchange.prove_once(world, request, clock)
            samples.append(elapsed)
            splits.append(split)
    finally:
        clock.close()
    results["floor_detail_ms"] = {"create": percentiles(create), "verify": percentiles(verify)}
    results["floor_ms"] = round(statistics.median(create) + statistics.median(verify), 1)
    results["proof_ms"] = percentiles(samples)
    results["stages_ms"] = summarize(splits)
    results["ratio_p50"] = round(results["proof_ms"]["p50"] / results["floor_ms"], 2)
    pids = {"holder": procs["holder"].pid, "verifier": procs["verifier"].pid}
    results["throughput_per_s"], results["throughput_detail"] = {}, {}
    for concurrency, total in sizes["throughput"].items():
        log(f"throughput: {total} proofs, {concurrency} in flight (with admission)")
        outcome = exchange.throughput(world, request, concurrency, total, pids, Admission())
        results["throughput_per_s"][str(concurrency)] = outcome["proofs_per_s"]
        results["throughput_detail"][str(concurrency)] = {
            "latency_ms": percentiles(outcome["latency_ms"]),
            "admission_wait_ms": percentiles(outcome["admission_wait_ms"]),
            "refusals": outcome["refusals"],
            "cpu_ms_per_proof": outcome["cpu_ms_per_proof"],
            "cpu_split_ms_per_proof": outcome["cpu_split_ms_per_proof"],
        }
    # Holder and verifier share the machine's cores here, so the crypto alone (create at
    # the holder plus verify at the verifier, the floor) allows cores / floor proofs/s.
    cores = os.cpu_count() or 1
    results["crypto_bound_per_s"] = round(cores * 1000 / results["floor_ms"], 2)
    results["throughput_share_of_crypto_bound"] = {
        conc: round(rate / results["crypto_bound_per_s"], 2)
        for conc, rate in results["throughput_per_s"].items()
    }
    results["load_against_16"] = _against(results, "16")
    _issuance(world, ground, procs, sizes, results, log)


def _against(results, base):
    """Return, per concurrency, throughput and admitted p95 as multiples of `base`'s."""
    detail, rates = results["throughput_detail"], results["throughput_per_s"]
    if base not in detail:
        return {}
    base_p95 = detail[base]["latency_ms"]["p95"]
    return {
        conc: {
            "throughput": round(rates[conc] / rates[base], 2),
            "p95": round(detail[conc]["latency_ms"]["p95"] / base_p95, 2),
            "refusals": detail[conc]["refusals"],
        }
        for conc in detail
        if int(conc) >= int(base)
    }


def _issuance(world, ground, procs, sizes, results, log):
    """Issuance one at a time against its floor, with stages; then offers in flight."""
    values = scenario.load_person()[scenario.INCOME]
    pids = {"holder": procs["holder"].pid, "issuer": procs["issuer"].pid}
    exchange.issue_once(world, scenario.INCOME, values)  # warm
    ground.issuance_sample(scenario.INCOME)
    floor_steps, totals, splits = {}, [], []
    results["issuance_per_s"], results["issuance_latency_ms"] = {}, {}
    results["issuance_detail"] = {}
    for concurrency, total in sizes["issuance"].items():
        log(f"issuance: {total} credentials, {concurrency} offers in flight")
        if concurrency == 1:
            clock = StageClock(world.issuer.hub, ISSUE_STAGES)
            samples = []
            meter = CpuMeter(pids, split=pids).start()  # the agents only: the floor runs here
            try:
                for _ in range(total):
                    steps = ground.issuance_sample(scenario.INCOME)
                    for step, ms in steps.items():
                        floor_steps.setdefault(step, []).append(ms)
                    totals.append(sum(steps.values()))
                    elapsed, split = exchange.issue_once(world, scenario.INCOME, values, clock)
                    samples.append(elapsed)
                    splits.append(split)
            finally:
                clock.close()
            # One at a time, interleaved with the floor: the rate counts the agents' time only.
            results["issuance_per_s"]["1"] = round(total * 1000 / sum(samples), 2)
            results["issuance_latency_ms"]["1"] = percentiles(samples)
            cpu = meter.stop()
            results["issuance_detail"]["1"] = {
                "cpu_ms_per_credential": {k: round(v * 1000 / total, 1) for k, v in cpu.items()},
                "cpu_split_ms_per_credential": {
                    name: {k: round(v * 1000 / total, 1) for k, v in parts.items()}
                    for name, parts in meter.split(cpu).items()
                },
            }
            continue
        outcome = exchange.issue_many(world, scenario.INCOME, values, concurrency, total, pids)
        results["issuance_per_s"][str(concurrency)] = outcome["per_s"]
        results["issuance_latency_ms"][str(concurrency)] = outcome["latency_ms"]
        results["issuance_detail"][str(concurrency)] = {
            "cpu_ms_per_credential": outcome["cpu_ms_per_credential"],
            "cpu_split_ms_per_credential": outcome["cpu_split_ms_per_credential"],
        }
    cores = os.cpu_count() or 1
    results["issuance_floor_detail_ms"] = {k: percentiles(v) for k, v in floor_steps.items()}
    results["issuance_floor_ms"] = round(statistics.median(totals), 1)
    results["issuance_stages_ms"] = summarize(splits, ISSUE_STAGES)
    results["issuance_ratio_p50"] = round(
        results["issuance_latency_ms"]["1"]["p50"] / results["issuance_floor_ms"], 2
    )
    results["issuance_crypto_bound_per_s"] = round(cores * 1000 / results["issuance_floor_ms"], 2)
    results["issuance_share_of_crypto_bound"] = {
        conc: round(rate / results["issuance_crypto_bound_per_s"], 2)
        for conc, rate in results["issuance_per_s"].items()
    }


def _registry(world, parties, network, hub, request, sizes, results, log):
    """Cold resolution of a credential definition, and proofs on cold and warm caches."""
    runs = sizes["cold"]
    log(f"did:webvh: {runs} cold credential definition resolutions, in process")
    home = parties["verifier"].settings.home
    cred_def_id = world.cred_defs[scenario.IDENTITY]
    cold = registry.cold_cred_def_in_process(cred_def_id, network, home, runs)
    log("did:webvh: a credential definition the verifier's agent has never seen")
    unseen = issue.create_cred_def(
        world.issuer, world.issuer_did, world.schema_ids[scenario.INCOME], tag="bench-cold"
    )
    through_agent = registry.cold_cred_def_through_agent(world.verifier, unseen)
    cold_proof = registry.cold_proofs(world, parties, hub, request, runs, log)
    exchange.latency(world, request, 2)  # warm again for what follows
    results["registry"] = {
        "method": "did:webvh",
        "cold_cred_def_ms": cold,
        "cold_cred_def_agent_ms": through_agent,
        "proof_cold_cache_ms": cold_proof,
        "proof_warm_cache_ms": results["proof_ms"],
    }


def _with_revocation(world, person, today, sizes, results, log):
    """The same exchange on a revocable identity credential, asking for non-revocation."""
    log("proof exchange with revocation: issuing a revocable identity credential")
    cred_def_id = revocation.create_revocable_cred_def(
        world.issuer, world.issuer_did, world.schema_ids[scenario.IDENTITY], registry_size=16
    )
    issue.issue(
        world.issuer,
        world.holder,
        world.issuer_conn,
        cred_def_id,
        world.schemas[scenario.IDENTITY],
        person[scenario.IDENTITY],
    )
    cred_defs = {**world.cred_defs, scenario.IDENTITY: cred_def_id}
    request = revocation.non_revoked(scenario.age_income_request(cred_defs, today), time.time())
    exchange.latency(world, request, 2)
    samples, _ = exchange.latency(world, request, sizes["latency"])
    results["proof_revocation_ms"] = percentiles(samples)


class _Growth:
    """Candidate lookup and the wallet's pages as the holder's credentials grow.

    Each point is labelled with the number of credentials the holder really holds
    when it is measured (the issuance benchmark adds credentials of its own).
    """

    def __init__(self, world, person, settings, sizes, results, log):
        """Attach the wallet app to the running holder; nothing is measured yet."""
        self.world, self.person, self.sizes, self.log = world, person, sizes, log
        self.results = results.setdefault("growth", {})
        self.history_results = results.setdefault("history_page_ms", {})
        self.past_results = results.setdefault("past_exchanges", {})
        self.pages = WalletPages(settings, world.holder.admin, world.holder.hub)
        self.request = {
            "name": "growth",
            "version": "1.0",
            "requested_attributes": {
                "who": {
                    "name": "family_name",
                    "restrictions": [{"cred_def_id": world.cred_defs[scenario.IDENTITY]}],
                }
            },
            "requested_predicates": {},
        }

    def _held(self):
        return len(held.credentials(self.world.holder))

    def at(self, target):
        """Issue identity credentials until the holder holds `target`, then measure."""
        world, held = self.world, self._held()
        if target > held:
            self.log(f"growth: issuing up to {target} credentials")
            exchange.issue_many(
                world, scenario.IDENTITY, self.person[scenario.IDENTITY], 8, target - held
            )
            held = self._held()
        self._measure(held, self.sizes["lookups"])

    def filled(self):
        """Copy one credential until the holder holds each filled size, then measure.

        Issuing 10,000 real credentials would take hours: the bench-only plugin
        `wallet.bench.fill` (loaded by then) stores copies of one real credential, as
        AnonCreds stores one, without webhooks. The wallet's index finds them on its
        first read, as it finds any credential whose webhook never came: that read is
        not timed. ACA-Py's listing of every candidate is timed `slow_lookups` times.
        """
        holder, count = self.world.holder, self._held()
        identity = {"cred_def_id": self.world.cred_defs[scenario.IDENTITY]}
        template = held.listed(holder, identity, limit=1)[0]["referent"]
        for target in self.sizes["filled"]:
            if target > count:
                self.log(f"growth: copying a credential up to {target}")
                holder.admin.request(
                    "POST",
                    "/tessera-bench/credential-copies",
                    json_body={"cred_id": template, "count": target - count},
                    timeout=600,
                )
                count = target
            self.pages.service.held.probe(holder)  # indexes the copies, untimed
            self._measure(count, self.sizes["lookups"], self.sizes["slow_lookups"], filled=True)

    def _measure(self, held, runs, slow_runs=None, filled=False):
        world = self.world
        _, thread_id = present.request_proof(world.verifier, world.verifier_conn, self.request)
        record = present.wait_request(world.holder, thread_id, timeout=60)
        index = self.pages.service.held  # the wallet's credential index, fed by the webhooks
        self.results[str(held)] = {
            "candidate_lookup_ms": percentiles(
                exchange.candidate_lookup(world, record, runs, lookup=index.candidates)
            ),
            "candidate_lookup_all_ms": percentiles(
                exchange.candidate_lookup(world, record, slow_runs or runs)
            ),
            "credentials_page_ms": self.pages.time("/credentials/", runs),
            "consent_page_ms": self.pages.time(f"/requests/{record['pres_ex_id']}", runs),
            **({"filled": True} if filled else {}),
        }
        present.decline(world.holder, record["pres_ex_id"], "benchmark")

    def history(self):
        """Fill the history and time its page."""
        total = self.sizes["history"]
        self.log(f"growth: {total} history entries")
        self.pages.fill_history(total)
        self.history_results[str(total)] = self.pages.time("/history/", self.sizes["lookups"])

    def past_exchanges(self):
        """Time the requests page as past exchanges grow (the holder has the fill plugin)."""
        past = PastExchanges(self.world, self.pages, self.request, self.log)
        for target in self.sizes["past"]:
            slow = self.sizes["slow_lookups"] if target <= self.sizes["past_listed_up_to"] else 0
            found = past.at(target, self.sizes["lookups"], slow)
            self.past_results[str(found["past_exchanges"])] = found

    def close(self):
        """Lock the in-process wallet app."""
        self.pages.close()


def _demo_startup(settings):
    """Return ms from starting the demo world on existing data to all its parts ready."""
    stop, ready = threading.Event(), threading.Event()
    failure = []

    def serve():
        try:
            demo.run(settings, stop, on_ready=lambda world: ready.set())
        except WalletError as exc:
            failure.append(exc)
            ready.set()

    started = time.perf_counter()
    thread = threading.Thread(target=serve, name="bench-demo")
    thread.start()
    ready.wait(180)
    elapsed = round((time.perf_counter() - started) * 1000)
    stop.set()
    thread.join(120)
    if failure:
        raise failure[0]
    return elapsed
