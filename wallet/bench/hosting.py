"""`tessera bench --hosting`: what a hosted person costs, next to the single-person wallet.

On a throwaway PostgreSQL cluster of its own and fresh firms, in one run: the time from
posting the login form to the wallet ready (agent started on `postgres_storage`), each
logged-in person's memory (PSS of their agent plus their PostgreSQL connections), how
many people were logged in when the instance's cap answered "busy", how many would fit
in the memory available, and the proof exchange p50 for a hosted person (firms' messages
through the host's inbox on PostgreSQL, agent on `postgres_storage`) and for the
single-person wallet (firms reach its agent directly, store on SQLite).
"""

import datetime
import re
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from .. import scenario
from ..agent.deployment import Deployment, running_agents
from ..agent.process import port_in_use
from ..agent.webhooks import WebhookHub
from ..holder.autorespond import AutoResponder
from ..host.config import HostConfig
from ..host.pgcluster import LocalCluster
from ..host.run import HOST_DB, prepare_database, running
from ..settings import ROLES, Settings
from . import exchange
from .measure import percentiles
from .run import bench_policy, machine
from .stages import STAGES, StageClock, summarize

SIZES = {"quick": {"people": 2, "latency": 6}, "full": {"people": 5, "latency": 30}}
PG_PORTS = range(56000, 57000)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSPHRASE = "bench passphrase {} of the hosted run"


def pss_kib(pid):
    """Return the proportional set size of `pid` in KiB (0 once it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def backends_of(database):
    """Return the pids of PostgreSQL backends connected to `database` (by process title)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            pids.append(int(entry.name))
    return pids


def mem_available_kib():
    """Return the machine's MemAvailable in KiB."""
    found = re.search(r"^MemAvailable:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    return int(found.group(1)) if found else 0


def _free(ports, count=1):
    for port in ports:
        if not any(port_in_use(p) for p in range(port, port + count)):
            return port
    raise RuntimeError(f"No free port in {ports.start}-{ports.stop - 1}.")


def _form(http, path, data):
    page = http.get(path)
    token = TOKEN.search(page.text).group(1)
    return http.post(path, data={**data, "csrf_token": token})


def _log_out(http):
    token = TOKEN.search(http.get("/settings/").text).group(1)
    if http.post("/lock", data={"csrf_token": token}).status_code != 302:
        raise RuntimeError("Benchmark logout failed.")


def _timed_login(http, name, passphrase, clock=time.perf_counter):
    started = clock()
    answer = _form(http, "/login", {"name": name, "passphrase": passphrase})
    if answer.status_code != 302:
        raise RuntimeError(f"Benchmark login failed: {answer.status_code} {answer.text[:200]}")
    return (clock() - started) * 1000


def _hosted(instance, base, world, sizes, results, log):
    """Sign people up to the cap, time their logins, weigh them, then time one's proofs."""
    people, logins, memory = [], [], []
    for i in range(sizes["people"]):
        http = httpx.Client(base_url=base, timeout=300)
        name, passphrase = f"bench.{i}", PASSPHRASE.format(i)
        data = {"name": name, "passphrase": passphrase, "confirm": passphrase}
        if _form(http, "/signup", data).status_code != 302:
            raise RuntimeError(f"Benchmark sign-up {name} failed.")
        _log_out(http)
        log(f"hosted: logging {name} in")
        logins.append(_timed_login(http, name, passphrase))
        people.append(http)
    for person in list(instance.people.values()):
        agent = pss_kib(person.runner.pid)
        database = sum(pss_kib(p) for p in backends_of(person.account.db_name))
        memory.append({"agent_kib": agent, "postgres_kib": database})
    busy = httpx.Client(base_url=base, timeout=300)
    extra = "one more bench phrase"
    answer = _form(busy, "/signup", {"name": "bench.extra", "passphrase": extra, "confirm": extra})
    results["login_ms"] = percentiles(logins)
    per_person = [m["agent_kib"] + m["postgres_kib"] for m in memory]
    results["memory_per_person_kib"] = {
        "agent_pss_median": statistics.median(m["agent_kib"] for m in memory),
        "postgres_pss_median": statistics.median(m["postgres_kib"] for m in memory),
        "total_median": statistics.median(per_person),
    }
    available = mem_available_kib()
    results["capacity"] = {
        "cap": instance.config.max_people,
        "logged_in_when_busy": len(instance.people),
        "busy_answer": answer.status_code,
        "mem_available_kib": available,
        "more_that_fit_in_memory": int(available // max(1, statistics.median(per_person))),
    }
    person = next(iter(instance.people.values()))
    hosted = scenario.World(
        world.issuer,
        person.service.agent,
        world.verifier,
        world.schemas,
        world.issuer_did,
        dict(world.schema_ids),
        dict(world.cred_defs),
    )
    scenario.connect_holder(hosted)
    scenario.issue_person(hosted, scenario.load_person())
    log(f"hosted: {sizes['latency']} proof exchanges")
    _latency(hosted, sizes, results, "hosted", person.service.agent.hub)
    for http in [*people, busy]:
        http.close()


class _Clock(StageClock):
    """The bench's stage clock, also hearing a hosted person's own webhook hub."""

    def __init__(self, hub, holder_hub=None):
        """Listen on the firms' `hub` and on `holder_hub` when it is another one."""
        super().__init__(hub)
        self.holder_hub = holder_hub if holder_hub is not hub else None
        if self.holder_hub is not None:
            self.holder_hub.add_listener(self._on_event)

    def close(self):
        """Stop listening on both hubs."""
        super().close()
        if self.holder_hub is not None:
            self.holder_hub.remove_listener(self._on_event)


def _latency(world, sizes, results, key, holder_hub=None):
    """Time exchanges one at a time; keep their p50s and where the time went, stage by stage.

    A hosted person's agent reports to their own webhook hub: `holder_hub` is heard too.
    """
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    policy = bench_policy(world.holder_conns["verifier"])
    responder = AutoResponder(world.holder, lambda: policy).start()
    clock = _Clock(world.verifier.hub, holder_hub)
    try:
        exchange.latency(world, request, 2)  # warm connections and caches
        samples, splits = exchange.latency(world, request, sizes["latency"], clock)
    finally:
        responder.stop()
        clock.close()
    results["proof_ms"][key] = percentiles(samples)
    results["stages_ms"][key] = summarize(splits)


def run(quick=True, home=None, port_offset=0, log=print):
    """Run the hosting benchmark on a cluster and agents of its own; return the results."""
    sizes = SIZES["quick" if quick else "full"]
    home = Path(home or tempfile.mkdtemp(prefix="tessera-bench-"))
    settings = Settings(home=home / "firms", port_offset=port_offset, loopback_egress=True)
    # Its own folder directly under the temporary directory: the cluster may run as
    # `tessera-pg`, which cannot enter a private folder of ours.
    cluster_home = tempfile.mkdtemp(prefix="tessera-bench-pg-")
    cluster = LocalCluster(cluster_home, _free(PG_PORTS), secrets.token_urlsafe(16))
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    results = {
        "mode": f"hosting-{'quick' if quick else 'full'}",
        "machine": machine(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "proof_ms": {},
        "stages_ms": {},
    }
    try:
        log("hosting: starting PostgreSQL and the agents")
        cluster.start()
        agent_password = secrets.token_urlsafe(16)
        prepare_database(cluster.url(), agent_password)
        with running_agents(deployment, ROLES, hub=hub):
            world = scenario.make_world(deployment, hub)
            scenario.seed_issuer(world)
            scenario.connect_holder(world)
            scenario.issue_person(world, scenario.load_person())
            log(f"single-person wallet: {sizes['latency']} proof exchanges")
            _latency(world, sizes, results, "single_person")
            config = HostConfig(
                home=home / "host",
                database_url=cluster.url(HOST_DB),
                agent_db_password=agent_password,
                inbox_port=0,
                agent_ports=_free(range(min(9100 + port_offset, 60000), 65000, 97), 40),
                max_people=sizes["people"],
                loopback_egress=True,
                registry=settings.registry_dir,
                tick=1.0,
            )
            with running(config, 0) as (instance, base):
                _hosted(instance, base, world, sizes, results, log)
    finally:
        hub.stop()
        deployment.close()
        cluster.stop()
        shutil.rmtree(cluster_home, ignore_errors=True)
    return results


def markdown(results):
    """Return the hosting results as a Markdown table."""
    m, memory, cap = results["machine"], results["memory_per_person_kib"], results["capacity"]
    proof, stages = results["proof_ms"], results["stages_ms"]
    return "\n".join(
        [
            f"# Tessera bench, hosting ({results['mode']}, {results['date']})",
            "",
            f"{m['cores']} cores, Python {m['python']}, "
            + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| log in to wallet ready (agent on PostgreSQL) p50 / max | "
            f"{results['login_ms']['p50']} / {results['login_ms']['max']} ms |",
            f"| memory per logged-in person (PSS): agent + PostgreSQL = total, median | "
            f"{memory['agent_pss_median'] / 1024:.0f} + {memory['postgres_pss_median'] / 1024:.0f}"
            f" = {memory['total_median'] / 1024:.0f} MiB |",
            f"| people logged in when the cap answered (status) | "
            f"{cap['logged_in_when_busy']} of cap {cap['cap']} ({cap['busy_answer']}) |",
            f"| more people the available memory would hold | {cap['more_that_fit_in_memory']} "
            f"({cap['mem_available_kib'] / 1024:.0f} MiB available) |",
            f"| proof exchange p50 / p95: hosted person (through the inbox) | "
            f"{proof['hosted']['p50']} / {proof['hosted']['p95']} ms |",
            f"| proof exchange p50 / p95: single-person wallet, same run (reached directly) | "
            f"{proof['single_person']['p50']} / {proof['single_person']['p95']} ms |",
            "",
            "Where the time goes (p50, ms): hosted person / single-person wallet",
            "",
            "| stage | what happens | hosted | single |",
            "| --- | --- | --- | --- |",
            *(
                f"| {name} | {what} | {stages['hosted'][name]['p50']} | "
                f"{stages['single_person'][name]['p50']} |"
                for name, what, *_ in STAGES  # (name, what, owner, ...)
            ),
        ]
    )
