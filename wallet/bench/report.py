"""The bench's report: results written as JSON and as Markdown tables."""

import json
import os
from pathlib import Path

from .stages import STAGES

RESULTS_DIR = Path(__file__).resolve().parents[2] / "bench" / "results"


def write(results, directory=RESULTS_DIR, render=None):
    """Write results as JSON and Markdown (`render(results)`, default `markdown`); return paths."""
    render = render or markdown
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"bench-{results['mode']}"
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    for path, text in ((json_path, json.dumps(results, indent=2)), (md_path, render(results))):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text + "\n")
        os.replace(tmp, path)
    return json_path, md_path


def markdown(results):
    """Return the results as Markdown tables."""
    m = results["machine"]
    lines = [
        f"# Tessera bench ({results['mode']}, {results['date']})",
        "",
        f"{m['cores']} cores, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        "",
        "| measure | value |",
        "| --- | --- |",
        "| floor: create + verify, in process, between the exchanges (p50 sum) | "
        f"{results['floor_ms']} ms |",
        f"| floor: create p50 / verify p50 | {results['floor_detail_ms']['create']['p50']} / "
        f"{results['floor_detail_ms']['verify']['p50']} ms |",
        f"| proof exchange p50 / p95 / max | {results['proof_ms']['p50']} / "
        f"{results['proof_ms']['p95']} / {results['proof_ms']['max']} ms |",
        f"| ratio p50 / floor | {results['ratio_p50']} |",
        f"| proof exchange with revocation p50 / p95 / max | "
        f"{results['proof_revocation_ms']['p50']} / {results['proof_revocation_ms']['p95']} / "
        f"{results['proof_revocation_ms']['max']} ms |",
    ]
    lines += [
        "",
        "Where one exchange's time goes (p50, from the agents' webhooks):",
        "",
        "| stage | what happens | owner | p50 ms |",
        "| --- | --- | --- | --- |",
    ]
    for name, what, owner in STAGES:
        lines.append(f"| {name} | {what} | {owner} | {results['stages_ms'][name]['p50']} |")
    lines += ["", "| measure | value |", "| --- | --- |"]
    for conc, rate in results["throughput_per_s"].items():
        cpu = results["throughput_detail"][conc]["cpu_ms_per_proof"]
        where = ", ".join(f"{k} {v} ms" for k, v in cpu.items())
        lines.append(f"| throughput, {conc} in flight | {rate} proofs/s (CPU per proof: {where}) |")
    bound = results["crypto_bound_per_s"]
    shares = results["throughput_share_of_crypto_bound"]
    lines.append(
        f"| crypto-bound throughput ({m['cores']} cores / floor) | {bound} proofs/s; measured "
        + ", ".join(f"{round(100 * v)}% at {k}" for k, v in shares.items())
        + " in flight |"
    )
    for conc, rate in results["issuance_per_s"].items():
        each = results["issuance_latency_ms"][conc]
        lines.append(
            f"| issuance, {conc} offers in flight | {rate} credentials/s "
            f"(each p50 / max: {each['p50']} / {each['max']} ms) |"
        )
    for count, data in results["growth"].items():
        lines.append(
            f"| {count} credentials: candidate lookup / credentials page / consent page (p50) | "
            f"{data['candidate_lookup_ms']['p50']} / {data['credentials_page_ms']['p50']} / "
            f"{data['consent_page_ms']['p50']} ms |"
        )
    for count, data in results["history_page_ms"].items():
        lines.append(f"| history page, {count} entries (p50) | {data['p50']} ms |")
    for name, value in results["startup_ms"].items():
        lines.append(f"| start-up, {name.replace('_', ' ')} | {value} ms |")
    return "\n".join(lines + _split_table(results))


SPLIT_TITLES = {
    "crypto_workers": "AnonCreds (worker threads)",
    "event_loop": "ACA-Py event loop",
    "askar": "Askar threads",
    "exited_threads": "ended threads",
}


def _split_table(results):
    """Return Markdown lines: each agent's CPU per proof by thread, at the top concurrency."""
    conc = max(results["throughput_detail"], key=int)
    split = results["throughput_detail"][conc].get("cpu_split_ms_per_proof") or {}
    if not split:
        return []
    lines = [
        "",
        f"Where the agents' CPU goes at {conc} in flight (ms per proof, by thread). AnonCreds "
        "runs in worker threads; ACA-Py's event loop does the rest of its work: DIDComm "
        "pack/unpack calls, message and record (de)serialization with validation (every "
        "load of an exchange record revalidates its whole presentation), storage calls, "
        "webhooks, the admin API.",
        "",
        "| agent | " + " | ".join(SPLIT_TITLES.values()) + " |",
        "| --- |" + " --- |" * len(SPLIT_TITLES),
    ]
    for name, parts in split.items():
        lines.append(f"| {name} | " + " | ".join(str(parts[k]) for k in SPLIT_TITLES) + " |")
    return lines
