"""The bench: percentiles, reports, and the quick run end to end (no timing asserted)."""

import datetime
import json
import os
import threading

import pytest
from conftest import free_port_offset

from wallet.bench import baseline
from wallet.bench import report as bench_report
from wallet.bench import run as bench_run
from wallet.bench.measure import PARTS, CpuMeter, percentiles

TODAY = datetime.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        ([], {"p50": None, "p95": None, "max": None, "n": 0}),
        ([5.0], {"p50": 5.0, "p95": 5.0, "max": 5.0, "n": 1}),
        (list(range(1, 101)), {"p50": 50.5, "p95": 95, "max": 100, "n": 100}),
        ([3.0, 1.0, 2.0], {"p50": 2.0, "p95": 3.0, "max": 3.0, "n": 3}),
    ],
)
def test_percentiles(samples, expected):
    assert percentiles(samples) == expected


def test_cpu_meter_counts_this_process():
    meter = CpuMeter({"me": os.getpid()}).start()
    sum(i * i for i in range(2_000_000))
    assert meter.stop()["me"] > 0


def test_cpu_meter_splits_a_process_by_thread():
    meter = CpuMeter({"me": os.getpid()}, split=["me"]).start()
    burnt, release = threading.Event(), threading.Event()

    def worker():
        sum(i * i for i in range(3_000_000))
        burnt.set()
        release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    burnt.wait(30)
    totals = meter.stop()
    parts = meter.split(totals)["me"]
    release.set()
    thread.join()
    assert set(parts) == set(PARTS)
    assert parts["crypto_workers"] > parts["event_loop"]  # the worker burnt, main waited
    assert sum(parts.values()) == pytest.approx(totals["me"], abs=0.05)


@pytest.mark.e2e
def test_quick_bench_produces_every_figure(tmp_path):
    results = bench_run.run(
        quick=True, home=tmp_path / "home", port_offset=free_port_offset(), log=lambda _: None
    )
    for key in (
        "floor_ms",
        "proof_ms",
        "ratio_p50",
        "throughput_per_s",
        "issuance_per_s",
        "growth",
        "startup_ms",
        "machine",
    ):
        assert key in results, key
    assert set(results["proof_ms"]) >= {"p50", "p95", "max"}
    found = results["registry"]
    assert found["method"] == "did:webvh"
    assert found["cold_cred_def_ms"]["n"] == found["proof_cold_cache_ms"]["n"] == 2
    assert found["proof_warm_cache_ms"] == results["proof_ms"]
    assert results["proof_ms"]["n"] == bench_run.SIZES["quick"]["latency"]
    assert set(results["throughput_per_s"]) == {"1", "4", "16", "64"}
    assert set(results["load_against_16"]) == {"16", "64"}
    assert results["throughput_detail"]["64"]["latency_ms"]["n"] == 64  # none lost
    for key in ("issuance_floor_ms", "issuance_ratio_p50", "issuance_crypto_bound_per_s"):
        assert results[key] > 0, key
    assert set(results["issuance_share_of_crypto_bound"]) == {"1", "10"}
    assert results["issuance_stages_ms"]["issue"]["n"] >= 1
    # Every proof stage is found (the holder's ends at done when no ack is promised).
    assert all(stage["n"] >= 1 for stage in results["stages_ms"].values()), results["stages_ms"]
    assert results["machine"]["cores"] == os.cpu_count()
    assert results["machine"]["versions"]["acapy-agent"].startswith("1.7")
    json_path, md_path = bench_report.write(results, tmp_path / "out")
    assert json.loads(json_path.read_text())["floor_ms"] == results["floor_ms"]
    text = md_path.read_text()
    assert "| ratio p50 / floor |" in text and "crypto-bound throughput" in text
    assert "issuance crypto bound" in text and "Where one issuance's time goes" in text
    assert "64 in flight against 16" in text
    filled = str(bench_run.SIZES["quick"]["filled"][-1])
    assert results["growth"][filled]["filled"] is True  # copies, measured like the rest
    assert results["growth"][filled]["consent_page_ms"]["n"] == bench_run.SIZES["quick"]["lookups"]
    assert f"| {filled} credentials:" in text and "copies of one real credential" in text
    assert (
        results["duration_s"] > 0
        and f"| this bench, start to end | {results['duration_s']} s |" in text
    )
    assert set(results["throughput_detail"]["16"]["cpu_split_ms_per_proof"]) == {
        "holder",
        "verifier",
    }


@pytest.mark.e2e
def test_the_registry_baseline_measures_both_worlds(tmp_path):
    found = baseline.compare(tmp_path, free_port_offset(), 1, 1, TODAY, log=lambda _: None)
    assert found["did:tessera"]["n"] == found["did:webvh"]["n"] == 1
    assert found["ratio_p50"] > 0
    assert (tmp_path / "round0-tessera" / "registry").is_dir()  # the shared directory
    assert not (tmp_path / "round0-webvh" / "registry").exists()  # three homes, none shared


def test_the_registry_baseline_alternates_the_order_and_pools_the_rounds(tmp_path):
    ran = []

    def fake(times):
        def world(home, port_offset, runs, today):
            ran.append(home.name)
            return times[:runs]

        return world

    worlds = {"did:tessera": fake([100.0, 100.0]), "did:webvh": fake([105.0, 115.0])}
    found = baseline.compare(tmp_path, 0, 2, 3, TODAY, log=lambda _: None, worlds=worlds)
    assert ran == [
        "round0-tessera",
        "round0-webvh",
        "round1-webvh",
        "round1-tessera",
        "round2-tessera",
        "round2-webvh",
    ]
    assert found["did:tessera"] == percentiles([100.0] * 6)
    assert found["did:webvh"]["p50"] == 110.0 and found["did:webvh"]["n"] == 6
    assert found["ratio_p50"] == 1.1
    assert [r["did:webvh"]["p50"] for r in found["rounds"]] == [110.0] * 3


def test_the_registry_baseline_refuses_nonsense_counts(capsys):
    with pytest.raises(SystemExit):
        baseline.main(["--runs", "0"])
    assert "at least 1" in capsys.readouterr().err
