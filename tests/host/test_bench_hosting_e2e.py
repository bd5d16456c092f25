"""`tessera bench --hosting` end to end, at its smallest: every figure, no timing asserted."""

import pytest
from conftest import free_port_offset

from wallet.bench import hosting
from wallet.bench import report as bench_report

from .conftest import require_postgres

pytestmark = pytest.mark.e2e


def test_the_hosting_bench_produces_every_figure(tmp_path, monkeypatch):
    require_postgres()
    monkeypatch.setitem(hosting.SIZES, "quick", {"people": 1, "latency": 2})
    results = hosting.run(
        quick=True, home=tmp_path / "home", port_offset=free_port_offset(), log=lambda _: None
    )
    assert results["login_ms"]["n"] == 1
    memory = results["memory_per_person_kib"]
    assert memory["agent_pss_median"] > 0 and memory["postgres_pss_median"] > 0
    capacity = results["capacity"]
    assert capacity["cap"] == capacity["logged_in_when_busy"] == 1
    assert capacity["busy_answer"] == 503
    assert {k: v["n"] for k, v in results["proof_ms"].items()} == {
        "hosted": 2,
        "single_person": 2,
    }
    for who in ("hosted", "single_person"):  # every stage heard, the person's own hub too
        assert {v["n"] for v in results["stages_ms"][who].values()} == {2}, who
    _, md_path = bench_report.write(results, tmp_path / "out", render=hosting.markdown)
    text = md_path.read_text()
    assert "| memory per logged-in person (PSS)" in text and "| to_holder |" in text
