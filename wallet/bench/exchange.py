"""Proof exchanges and issuances through real agents, timed end to end."""

import concurrent.futures
import os
import random
import threading
import time

from ..agent.admission import ExchangeGate
from ..errors import Busy
from ..flows import issue, present
from .measure import CpuMeter, percentiles


def prove_once(world, request, stages=None, clock=time.perf_counter, gate=None):
    """Verifier asks; the holder's auto-responder answers; return ms to the verified record.

    With a `StageClock`, also return where the time went: (ms, {stage: ms} or None).
    With an `ExchangeGate`, the request is sent only if admitted (else `Busy` is raised).
    """
    start = clock()

    def send():
        return present.request_proof(world.verifier, world.verifier_conn, request)

    pres_ex_id, thread_id = gate.request(send) if gate else send()
    sent = clock()
    result = present.wait_verified(world.verifier, pres_ex_id, timeout=120)
    finished = clock()
    if not result.verified:
        raise RuntimeError(f"Benchmark proof {pres_ex_id} did not verify.")
    elapsed = (finished - start) * 1000
    if stages is None:
        return elapsed
    return elapsed, stages.split(thread_id, start, sent, finished)


def latency(world, request, runs, stages=None):
    """Return the latency (ms) of `runs` exchanges one at a time, and their stage splits."""
    outcomes = [prove_once(world, request, stages) for _ in range(runs)]
    if stages is None:
        return outcomes, []
    return [ms for ms, _ in outcomes], [split for _, split in outcomes]


def throughput(world, request, concurrency, total, pids, admission=None):
    """Run `total` exchanges from `concurrency` clients; return rate, latency, CPU, refusals.

    With an `Admission`, a client whose exchange is refused (`Busy`) waits as told and
    asks again; `latency_ms` times admitted exchanges only, `admission_wait_ms` the
    time each client waited to be admitted.
    """
    remaining, lock = [total], threading.Lock()
    latency, waits, refusals = [], [], [0]
    gate = ExchangeGate(admission, world.verifier.hub) if admission else None

    def client():
        while True:
            with lock:
                if not remaining[0]:
                    return
                remaining[0] -= 1
            asked = time.perf_counter()
            while True:
                try:
                    elapsed = prove_once(world, request, gate=gate)
                    break
                except Busy as busy:  # refused before anything was sent: ask again later
                    with lock:
                        refusals[0] += 1
                    # As told, spread out (jitter) so refused clients do not all return at
                    # once; not backing off further, so that no client starves.
                    time.sleep(busy.retry_after * random.uniform(1, 2))
            with lock:
                latency.append(elapsed)
                waits.append((time.perf_counter() - asked) * 1000 - elapsed)

    meter = CpuMeter({**pids, "controller": os.getpid()}, split=pids).start()
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(client) for _ in range(concurrency)]:
            future.result()
    elapsed = time.perf_counter() - start
    cpu = meter.stop()
    split = meter.split(cpu)
    if gate is not None:
        gate.close()
    return {
        "proofs_per_s": round(total / elapsed, 2),
        "latency_ms": latency,
        "admission_wait_ms": waits,
        "refusals": refusals[0],
        "cpu_ms_per_proof": {k: round(v * 1000 / total, 1) for k, v in cpu.items()},
        "cpu_split_ms_per_proof": {
            name: {k: round(v * 1000 / total, 1) for k, v in parts.items()}
            for name, parts in split.items()
        },
    }


def issue_once(world, schema_name, values, stages=None, clock=time.perf_counter):
    """Issue one credential; return ms to the issuer's done (and stages, with a clock).

    With a `StageClock` (one issuance at a time), return (ms, {stage: ms} or None).
    """
    started = clock()
    issue.issue(
        world.issuer,
        world.holder,
        world.issuer_conn,
        world.cred_defs[schema_name],
        world.schemas[schema_name],
        values,
        timeout=120,
    )
    finished = clock()
    elapsed = (finished - started) * 1000
    if stages is None:
        return elapsed
    return elapsed, stages.split_only(started, finished)


def issue_many(world, schema_name, values, concurrency, total, pids=None):
    """Issue `total` credentials with `concurrency` offers in flight.

    Returns credentials/s, the percentiles of each issuance's time (ms) and, given the
    agents' `pids`, the CPU each process spent per credential.
    """

    def one(_):
        return issue_once(world, schema_name, values)

    meter = CpuMeter({**pids, "controller": os.getpid()}, split=pids).start() if pids else None
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        samples = list(pool.map(one, range(total)))
    outcome = {
        "per_s": round(total / (time.perf_counter() - start), 2),
        "latency_ms": percentiles(samples),
    }
    if meter is not None:
        cpu = meter.stop()
        outcome["cpu_ms_per_credential"] = {k: round(v * 1000 / total, 1) for k, v in cpu.items()}
        outcome["cpu_split_ms_per_credential"] = {
            name: {k: round(v * 1000 / total, 1) for k, v in parts.items()}
            for name, parts in meter.split(cpu).items()
        }
    return outcome


def candidate_lookup(world, record, runs, clock=time.perf_counter, lookup=None):
    """Time the holder's candidate lookup (with Tessera's filtering) for a received request.

    `lookup` is the wallet's (its credential index: each item's newest credentials read
    by id); None times ACA-Py's listing of every candidate, as before #21.5.
    """
    samples = []
    for _ in range(runs):
        start = clock()
        present.options(world.holder, record, lookup=lookup)
        samples.append((clock() - start) * 1000)
    return samples
