"""Proof exchanges and issuances through real agents, timed end to end."""

import concurrent.futures
import os
import time

from ..flows import issue, present
from .measure import CpuMeter, percentiles


def prove_once(world, request, stages=None, clock=time.perf_counter):
    """Verifier asks; the holder's auto-responder answers; return ms to the verified record.

    With a `StageClock`, also return where the time went: (ms, {stage: ms} or None).
    """
    start = clock()
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
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


def throughput(world, request, concurrency, total, pids):
    """Run `total` exchanges with `concurrency` in flight; return rate and CPU per proof."""
    meter = CpuMeter({**pids, "controller": os.getpid()}, split=pids).start()
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        samples = list(pool.map(lambda _: prove_once(world, request), range(total)))
    elapsed = time.perf_counter() - start
    cpu = meter.stop()
    split = meter.split(cpu)
    return {
        "proofs_per_s": round(total / elapsed, 2),
        "latency_ms": samples,
        "cpu_ms_per_proof": {k: round(v * 1000 / total, 1) for k, v in cpu.items()},
        "cpu_split_ms_per_proof": {
            name: {k: round(v * 1000 / total, 1) for k, v in parts.items()}
            for name, parts in split.items()
        },
    }


def issue_many(world, schema_name, values, concurrency, total):
    """Issue `total` credentials with `concurrency` offers in flight.

    Returns credentials/s and the percentiles of each issuance's time (ms).
    """

    def one(_):
        started = time.perf_counter()
        issue.issue(
            world.issuer,
            world.holder,
            world.issuer_conn,
            world.cred_defs[schema_name],
            world.schemas[schema_name],
            values,
            timeout=120,
        )
        return (time.perf_counter() - started) * 1000

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        samples = list(pool.map(one, range(total)))
    return {
        "per_s": round(total / (time.perf_counter() - start), 2),
        "latency_ms": percentiles(samples),
    }


def candidate_lookup(world, record, runs, clock=time.perf_counter):
    """Time the holder's candidate lookup (with Tessera's filtering) for a received request."""
    samples = []
    for _ in range(runs):
        start = clock()
        present.options(world.holder, record)
        samples.append((clock() - start) * 1000)
    return samples
