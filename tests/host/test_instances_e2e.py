"""Two host instances on one PostgreSQL: one wallet open at a time, moves, and kill -9.

Instance A is a real `tessera host` process (so it can be killed with SIGKILL); instance
B runs in the test. Both share the host's data directory (its session key) and the
public inbox (B's inbox face, standing in for the load balancer's `/didcomm/`).
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from wallet import scenario
from wallet.flows import connect, issue, present
from wallet.host.run import running

from .conftest import host_ports, new_host_db
from .hosting import Browser, host_config

pytestmark = pytest.mark.e2e

PASSPHRASE = "Granite meadow 6612 by the sea"
TTL = 4.0
VALUES = {
    "given_name": "Ignatius",
    "family_name": "Featherstonehaugh",
    "birthdate_dateint": "19880704",
    "nationality": "FR",
    "address_country": "FR",
    "address_city": "Montreuil-Bellay",
}


def _wait(predicate, what, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def two(pg_cluster, firms, tmp_path_factory):
    """Instance B (in the test) and instance A (a `tessera host` process) on one database."""
    url, agent_password, _ = new_host_db(pg_cluster)
    home = tmp_path_factory.mktemp("shared-host")
    (home / "registry").symlink_to(firms.settings.registry_dir)
    ports = host_ports(120)
    config_b = host_config(home, url, agent_password, firms, ports, instance="i-b", lease_ttl=TTL)
    with running(config_b, 0) as (instance_b, base_b):
        web_a, inbox_a = ports + 100, ports + 101
        env = {
            **os.environ,
            "TESSERA_HOST_DATABASE_URL": url,
            "TESSERA_HOST_AGENT_DB_PASSWORD": agent_password,
        }
        command = [
            sys.executable,
            "-m",
            "wallet.cli",
            "host",
            "--home",
            str(home),
            "--instance",
            "i-a",
            "--port",
            str(web_a),
            "--inbox-port",
            str(inbox_a),
            "--agent-ports",
            str(ports + 40),
            "--public-inbox-url",
            instance_b.inbox_url,
            "--lease-ttl",
            str(TTL),
            "--max-people",
            "3",
            "--loopback-egress",
        ]
        log = open(home / "instance-a.log", "wb")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        base_a = f"http://127.0.0.1:{web_a}"
        try:
            _wait(lambda: _up(base_a), "instance A to serve", timeout=60)
            yield {"a": proc, "base_a": base_a, "b": instance_b, "base_b": base_b, "home": home}
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)
            log.close()


def _processes_under(folder):
    """Return the pids whose command line names something under `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and folder.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # the process ended while we looked
            continue
    return found


def _up(base):
    try:
        return httpx.get(f"{base}/host/status", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _connect(firm, browser, token):
    invitation = connect.create_invitation(firm)
    answer = browser.http.post(
        "/api/v1/connections",
        json={"invitation_url": invitation["invitation_url"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.text
    conn = connect.inviter_connection(firm, invitation["invi_msg_id"])
    connect.wait_active(firm, conn)
    return conn


def _pending(browser, token, kind):
    answer = browser.get(f"/api/v1/{kind}", headers={"Authorization": f"Bearer {token}"})
    return answer.json()["results"] if answer.status_code == 200 else []


def test_a_wallet_open_on_one_instance_is_answered_clearly_on_the_other(two):
    browser = Browser(two["base_a"])
    assert browser.sign_up("moves.1", PASSPHRASE).status_code == 302
    token = browser.api_token()
    cookie = browser.http.cookies.get("session")
    with httpx.Client(base_url=two["base_b"], cookies={"session": cookie}) as elsewhere:
        page = elsewhere.get("/credentials/")
        assert page.status_code == 409 and page.headers["X-Tessera-Instance"] == "i-a"
        assert "open on another server" in page.text
        api = elsewhere.get("/api/v1/credentials", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 421 and api.json()["error"] == "OpenElsewhere"
    # Logging in on B asks A to close the wallet first; then it opens on B.
    other = Browser(two["base_b"])
    assert other.log_in("moves.1", PASSPHRASE).status_code == 302
    assert other.get("/credentials/").status_code == 200
    assert browser.get("/credentials/").status_code == 409  # A no longer has it
    assert other.log_out().status_code == 302


def test_an_instance_killed_during_an_exchange_loses_nothing(two, firms):
    browser = Browser(two["base_a"])
    assert browser.sign_up("killed.1", PASSPHRASE).status_code == 302
    token = browser.api_token()
    issuer_conn = _connect(firms.issuer, browser, token)
    verifier_conn = _connect(firms.verifier, browser, token)
    schema = firms.schemas[scenario.IDENTITY]
    issue.offer_credential(
        firms.issuer, issuer_conn, firms.cred_defs[scenario.IDENTITY], schema, VALUES
    )
    (offer,) = _wait(lambda: _pending(browser, token, "offers"), "the offer on A")
    accepted = browser.http.post(
        f"/api/v1/offers/{offer['cred_ex_id']}/accept", headers={"Authorization": f"Bearer {token}"}
    )
    assert accepted.status_code == 200, accepted.text

    # The verifier asks; instance A is killed at once, whatever it was doing.
    request = scenario.age_income_request(firms.cred_defs, datetime.date.today())
    del request["requested_predicates"]["income"]
    _, thread = present.request_proof(firms.verifier, verifier_conn, request)
    a_agents = str(two["home"] / "instances" / "i-a" / "agents")
    assert _processes_under(a_agents), "instance A's agent is not running"
    two["a"].send_signal(signal.SIGKILL)
    two["a"].wait(30)
    # Its agent notices its supervisor died and stops: no orphan keeps the store open.
    _wait(lambda: not _processes_under(a_agents), "instance A's agent to stop", timeout=30)
    # While nobody holds the wallet, the issuer sends another offer: the inbox keeps it.
    issue.offer_credential(
        firms.issuer, issuer_conn, firms.cred_defs[scenario.IDENTITY], schema, VALUES
    )

    other = Browser(two["base_b"])
    answer = other.log_in("killed.1", PASSPHRASE)
    if answer.status_code == 409:  # A's lease has not run out yet: the page says when
        assert "released within" in answer.text
        time.sleep(TTL)
        answer = other.log_in("killed.1", PASSPHRASE)
    assert answer.status_code == 302, answer.text
    requests = _wait(lambda: _pending(other, token, "requests"), "the request on B")
    offers = _wait(lambda: _pending(other, token, "offers"), "the second offer on B")
    assert len(requests) == 1 and len(offers) == 1
    creds = other.get("/api/v1/credentials", headers={"Authorization": f"Bearer {token}"}).json()
    assert len(creds["results"]) == 1  # the credential issued before the kill
    approved = other.http.post(
        f"/api/v1/requests/{requests[0]['pres_ex_id']}/approve",
        json={"digest": requests[0]["digest"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert approved.status_code == 200, approved.text
    records = present.records(firms.verifier, thread_id=thread)
    assert present.wait_verified(firms.verifier, records[0].pres_ex_id).verified
