"""The bench's report: results written as JSON and as Markdown tables."""

import json
import os
from pathlib import Path

from .stages import ISSUE_STAGES, STAGES

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
    lines += _registry_rows(results)
    lines += [
        "",
        "Where one exchange's time goes (p50, from the agents' webhooks):",
        "",
        "| stage | what happens | owner | p50 ms |",
        "| --- | --- | --- | --- |",
    ]
    for name, what, owner, _ in STAGES:
        lines.append(f"| {name} | {what} | {owner} | {results['stages_ms'][name]['p50']} |")
    lines += ["", "| measure | value |", "| --- | --- |"]
    for conc, rate in results["throughput_per_s"].items():
        detail = results["throughput_detail"][conc]
        where = ", ".join(f"{k} {v} ms" for k, v in detail["cpu_ms_per_proof"].items())
        each, waited = detail["latency_ms"], detail.get("admission_wait_ms") or {}
        lines.append(
            f"| throughput, {conc} in flight | {rate} proofs/s (admitted p50 / p95: "
            f"{each['p50']} / {each['p95']} ms; {detail.get('refusals', 0)} refusals, "
            f"wait to be admitted p95 {waited.get('p95')} ms; CPU per proof: {where}) |"
        )
    bound = results["crypto_bound_per_s"]
    shares = results["throughput_share_of_crypto_bound"]
    lines.append(
        f"| crypto-bound throughput ({m['cores']} cores / floor) | {bound} proofs/s; measured "
        + ", ".join(f"{round(100 * v)}% at {k}" for k, v in shares.items())
        + " in flight |"
    )
    for conc, against in (results.get("load_against_16") or {}).items():
        lines.append(
            f"| {conc} in flight against 16 | throughput x{against['throughput']}, "
            f"admitted p95 x{against['p95']}, {against['refusals']} refused (retryable) |"
        )
    lines += _issuance_rows(results)
    for count, data in results["growth"].items():
        before = data.get("candidate_lookup_all_ms")
        copies = (
            "; copies of one real credential stored by the bench-only plugin wallet.bench.fill"
            if data.get("filled")
            else ""
        )
        lines.append(
            f"| {count} credentials: candidate lookup / credentials page / consent page (p50; "
            "the lookup through the wallet's credential index, each item's 20 newest read by "
            f"id in one call{copies}) | {data['candidate_lookup_ms']['p50']} / "
            f"{data['credentials_page_ms']['p50']} / "
            f"{data['consent_page_ms']['p50']} ms"
            + (
                f"; ACA-Py listing every candidate (before #21.5): {before['p50']} ms"
                if before
                else ""
            )
            + " |"
        )
    for count, data in results["history_page_ms"].items():
        lines.append(f"| history page, {count} entries (p50) | {data['p50']} ms |")
    for count, data in (results.get("past_exchanges") or {}).items():
        before = data.get("listing_before_ms")
        lines.append(
            f"| requests page, {count} past exchanges (p50; copies of a real one written "
            f"into the agent's storage by the bench-only plugin wallet.bench.fill) | "
            f"{data['requests_page_ms']['p50']} ms; the listings it made before #21.6: "
            + (f"{before['p50']} ms |" if before else "not timed (each reads every record) |")
        )
    for name, value in results["startup_ms"].items():
        lines.append(f"| start-up, {name.replace('_', ' ')} | {value} ms |")
    if "duration_s" in results:
        lines.append(f"| this bench, start to end | {results['duration_s']} s |")
    return "\n".join(lines + _split_table(results) + _issuance_tables(results))


def _registry_rows(results):
    """Return table rows for the networked registry's figures (none in older results)."""
    found = results.get("registry")
    if not found:
        return []
    cold, warm = found["proof_cold_cache_ms"], found["proof_warm_cache_ms"]
    return [
        f"| {found['method']}: cold credential definition resolution, in process "
        f"(DID log + resource over HTTPS, verified) p50 / max | {found['cold_cred_def_ms']['p50']}"
        f" / {found['cold_cred_def_ms']['max']} ms |",
        f"| {found['method']}: cold credential definition resolution through the verifier's "
        f"agent | {found['cold_cred_def_agent_ms']} ms |",
        f"| {found['method']}: proof exchange p50, warm cache / cold cache (first proof after "
        f"both agents restart with empty caches) | {warm['p50']} / {cold['p50']} ms |",
    ]


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
        "pack/unpack calls, message and record (de)serialization with validation (of every "
        "message that arrives; `wallet.speedups` spares the agent's own stored records), "
        "storage calls, webhooks, the admin API.",
    ]
    return lines + _thread_table(split)


def _thread_table(split):
    """Return Markdown lines: one row per agent, its CPU by part (SPLIT_TITLES)."""
    lines = [
        "",
        "| agent | " + " | ".join(SPLIT_TITLES.values()) + " |",
        "| --- |" + " --- |" * len(SPLIT_TITLES),
    ]
    for name, parts in split.items():
        lines.append(f"| {name} | " + " | ".join(str(parts[k]) for k in SPLIT_TITLES) + " |")
    return lines


def _issuance_rows(results):
    """Return the issuance rows of the main table: floor, ratio, rates against the bound."""
    rows = []
    if "issuance_floor_ms" in results:
        steps = results["issuance_floor_detail_ms"]
        rows += [
            "| issuance floor: offer + request + credential + process, in process (p50 sum) | "
            f"{results['issuance_floor_ms']} ms ("
            + " / ".join(f"{k} {v['p50']}" for k, v in steps.items())
            + ") |",
            f"| issuance ratio p50 (one at a time) / floor | {results['issuance_ratio_p50']} |",
        ]
    for conc, rate in results["issuance_per_s"].items():
        each = results["issuance_latency_ms"][conc]
        cpu = (results.get("issuance_detail") or {}).get(conc, {}).get("cpu_ms_per_credential")
        where = f"; CPU per credential: {', '.join(f'{k} {v} ms' for k, v in cpu.items())}"
        lines = f"| issuance, {conc} offers in flight | {rate} credentials/s "
        lines += f"(each p50 / max: {each['p50']} / {each['max']} ms{where if cpu else ''}) |"
        rows.append(lines)
    if "issuance_crypto_bound_per_s" in results:
        shares = results["issuance_share_of_crypto_bound"]
        rows.append(
            f"| issuance crypto bound (cores / issuance floor) | "
            f"{results['issuance_crypto_bound_per_s']} credentials/s; measured "
            + ", ".join(f"{round(100 * v)}% at {k}" for k, v in shares.items())
            + " in flight |"
        )
    return rows


def _issuance_tables(results):
    """Return Markdown lines: issuance stages and the agents' CPU per credential by thread."""
    if "issuance_stages_ms" not in results:
        return []
    lines = [
        "",
        "Where one issuance's time goes (p50, one at a time, from the agents' webhooks):",
        "",
        "| stage | what happens | owner | p50 ms |",
        "| --- | --- | --- | --- |",
    ]
    for name, what, owner, _ in ISSUE_STAGES:
        p50 = results["issuance_stages_ms"][name]["p50"]
        lines.append(f"| {name} | {what} | {owner} | {p50} |")
    conc = max(results["issuance_detail"], key=int)
    split = results["issuance_detail"][conc].get("cpu_split_ms_per_credential") or {}
    if split:
        lines += [
            "",
            f"Where the agents' CPU goes at {conc} offers in flight (ms per credential, by "
            "thread):",
            *_thread_table(split),
        ]
    return lines
