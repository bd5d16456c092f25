"""End to end with three real ACA-Py agents on 127.0.0.1: the core loop and its faults."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from conftest import free_port_offset

from wallet import scenario
from wallet.errors import UnsatisfiableRequest
from wallet.flows import present
from wallet.flows.registry_check import untrusted
from wallet.webvh.deploy import publish_dir
from wallet.webvh.ids import parse_resource_id

pytestmark = pytest.mark.e2e


def tessera(*args, timeout=240):
    """Run the `tessera` command as a user would; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "wallet.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def agents_under(home):
    """Return pids of live ACA-Py processes whose arg file lies under `home`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "wallet.agent.launch" in argv and any(a.startswith(str(home)) for a in argv):
            pids.append(int(entry))
    return pids


def test_scenario_json_proves_without_disclosing(tmp_path):
    done = tessera(
        "scenario",
        "--json",
        "--home",
        str(tmp_path / "h"),
        "--port-offset",
        str(free_port_offset()),
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verified"] is True
    assert report["revealed"] == {"nationality": "FR"}
    assert report["predicates"] == ["annual_income", "birthdate_dateint"]
    assert {"birthdate_dateint", "annual_income", "address_city", "given_name"} <= set(
        report["not_disclosed"]
    )
    assert "nationality" not in report["not_disclosed"]
    assert report["leaked"] == []
    assert set(report["timings_ms"]) >= {"start_agents", "publish", "connect", "issue", "prove"}
    assert agents_under(tmp_path) == []


def test_verifier_record_holds_no_unrevealed_value(seeded_world):
    world = seeded_world
    request = scenario.age_income_request(world.cred_defs, scenario.datetime.date(2026, 11, 29))
    result = scenario.prove(world, request)
    assert result.verified
    assert result.revealed == {"nationality": "FR"}
    held = scenario.holder_attributes(world.holder)
    assert ("birthdate_dateint", "19900415") in held
    assert scenario.leaked(result.record, held, result.revealed) == []
    # The check itself is not blind: a record that did carry the birthdate is caught.
    tainted = {**result.record, "note": "born 19900415"}
    assert scenario.leaked(tainted, held, result.revealed) == ["birthdate_dateint"]


def test_request_nothing_can_answer_is_refused_by_the_holder(seeded_world):
    world = seeded_world
    request = scenario.age_income_request(
        world.cred_defs, scenario.datetime.date(2026, 11, 29), min_income=1_000_000
    )
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    record = present.wait_request(world.holder, thread_id)
    with pytest.raises(UnsatisfiableRequest) as caught:
        present.present(world.holder, record)
    assert caught.value.missing == {"income": "no credential proves annual_income >= 1000000"}
    # Nothing was sent: the holder can still decline, and the verifier learns only that.
    present.decline(world.holder, record["pres_ex_id"], "No credential can answer this request.")
    declined = present.wait_abandoned(world.verifier, pres_ex_id)
    assert declined.get("verified") is None


def test_cli_unsatisfiable_request_exits_nonzero_and_stops_agents(tmp_path):
    done = tessera(
        "scenario",
        "--min-income",
        "1000000",
        "--home",
        str(tmp_path / "h"),
        "--port-offset",
        str(free_port_offset()),
    )
    assert done.returncode == 2
    assert "No credential in the wallet can answer: income" in done.stderr
    assert "Traceback" not in done.stderr
    assert agents_under(tmp_path) == []


def test_port_in_use_is_named_and_nothing_starts(tmp_path):
    offset = free_port_offset()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        squatter.bind(("127.0.0.1", 8041 + offset))
        squatter.listen()
        done = tessera("scenario", "--home", str(tmp_path / "h"), "--port-offset", str(offset))
    assert done.returncode == 2
    assert f"its admin port 127.0.0.1:{8041 + offset} is in use" in done.stderr
    assert agents_under(tmp_path) == []


def test_agent_dying_during_start_reports_its_log(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    for role in ("issuer", "holder", "verifier"):
        text = (scenario.Path(__file__).parents[1] / "agent_config" / f"{role}.yml").read_text()
        (config / f"{role}.yml").write_text(text)
    # An option ACA-Py refuses at start: the agent exits, the supervisor says so.
    with open(config / "verifier.yml", "a") as handle:
        handle.write("wallet-type: no-such-wallet\n")
    from wallet.agent.deployment import Deployment
    from wallet.errors import AgentStartError
    from wallet.settings import Settings

    deployment = Deployment(
        Settings(home=tmp_path / "h", port_offset=free_port_offset(), loopback_egress=True),
        config_dir=config,
    )
    proc = deployment.process("verifier")
    with pytest.raises(AgentStartError, match="exited during start") as caught:
        proc.start(timeout=60)
    assert "no-such-wallet" in str(caught.value) or "wallet" in str(caught.value).lower()
    assert not proc.running()


def _scenario_with_agents_up(tmp_path):
    """Start `tessera scenario` in the background; return once its three agents run."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wallet.cli",
            "scenario",
            "--home",
            str(tmp_path / "h"),
            "--port-offset",
            str(free_port_offset()),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(agents_under(tmp_path)) < 3:
        assert time.monotonic() < deadline, "the scenario did not start its agents"
        time.sleep(0.05)
    return child


def test_interrupted_scenario_leaves_no_agent(tmp_path):
    child = _scenario_with_agents_up(tmp_path)
    child.send_signal(signal.SIGINT)  # as Ctrl-C would
    child.wait(timeout=60)
    assert child.returncode != 0
    assert agents_under(tmp_path) == []


def test_killed_supervisor_takes_its_agents_along(tmp_path):
    child = _scenario_with_agents_up(tmp_path)
    child.kill()
    child.wait()
    deadline = time.monotonic() + 30
    while agents_under(tmp_path):
        assert time.monotonic() < deadline, "agents outlived a SIGKILLed supervisor"
        time.sleep(0.1)


def _published_file(world, object_id):
    """Return the file the issuer's HTTPS server serves `object_id` from."""
    rid = parse_resource_id(object_id)
    return publish_dir(world.parties["issuer"].settings.home).joinpath(*rid.web_path)


def _tamper_cred_def(world, name, change):
    cred_def_id = world.cred_defs[name]
    path = _published_file(world, cred_def_id)
    stored = json.loads(path.read_text())
    change(stored, world)
    path.write_text(json.dumps(stored))
    return cred_def_id


def _edit_key(stored, world):
    primary = stored["content"]["value"]["primary"]
    primary["n"] = str(int(primary["n"]) + 2)


def _swap_for_the_other(stored, world):
    other = json.loads(_published_file(world, world.cred_defs[scenario.INCOME]).read_text())
    stored.clear()
    stored.update(other)


@pytest.mark.parametrize("change", [_edit_key, _swap_for_the_other], ids=["edited", "swapped"])
def test_a_cred_def_tampered_on_the_issuers_server_is_refused_and_nothing_is_verified(
    fresh_world, change
):
    from urllib.parse import quote

    from wallet.errors import AgentError

    world = fresh_world
    scenario.seed_issuer(world)
    scenario.connect_holder(world)
    scenario.issue_person(world, scenario.load_person())
    cred_def_id = _tamper_cred_def(world, scenario.IDENTITY, change)

    # The verifier had not fetched it yet: it refuses it. ACA-Py's GET route maps only
    # "not found" to a 4xx; the reason is in the agent's log and in the check route.
    with pytest.raises(AgentError) as caught:
        world.verifier.admin.get(f"/anoncreds/credential-definition/{quote(cred_def_id, safe='')}")
    assert caught.value.status == 500
    log = world.procs["verifier"].log_path.read_text()
    assert f"{cred_def_id} " in log and "cannot be trusted and was not used" in log
    refused = untrusted(world.verifier, [cred_def_id])
    assert list(refused) == [cred_def_id]
    assert "failed its integrity check" in refused[cred_def_id] or "swapped" in refused[cred_def_id]
    # The holder checked the original when it stored the credential and keeps that copy
    # (ids are content digests): the server's change does not reach it.
    assert untrusted(world.holder, [cred_def_id]) == {}
