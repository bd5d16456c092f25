"""End to end: publish revocable from the console, issue, revoke there, the wallet sees it."""

import re
import time

import pytest

from wallet import scenario
from wallet.flows import issue
from wallet.flows.anoncreds import quote_id
from wallet.flows.revocation import STATUS_FILE, StatusCache
from wallet.holder.revocation import RevocationWatch, view

from .conftest import make_console

pytestmark = pytest.mark.e2e
INCOME = scenario.INCOME


def finished_job(console, response, timeout=180.0):
    """Poll a publish job's JSON status until it ends (deadline); return it."""
    assert response.status_code == 302, response.text
    url = response.headers["Location"] + ".json"
    deadline = time.monotonic() + timeout
    while (job := console.get(url).json)["state"] == "running":
        assert time.monotonic() < deadline, f"publish job still running: {job['steps']}"
        time.sleep(0.1)  # polling interval, bounded by the deadline
    assert job["state"] == "done", job
    return job


def test_console_revocation_reaches_the_holders_status(seeded_world, tmp_path):
    world = seeded_world
    console = make_console("issuer", world.issuer, tmp_path, REVOCATION_REGISTRY_SIZE=4)
    job = finished_job(
        console, console.post(f"/issuer/schemas/{INCOME}/publish", {"revocation": "on"})
    )
    cred_def_id = job["result"]["cred_def_id"]
    tag = world.issuer.admin.get(f"/anoncreds/credential-definition/{quote_id(cred_def_id)}")
    assert tag["credential_definition"]["tag"] == "revocable"

    values = scenario.load_person()[INCOME]
    cred_ex_id = issue.offer_credential(
        world.issuer, world.issuer_conn, cred_def_id, world.schemas[INCOME], values
    )
    thread_id = world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}")[
        "cred_ex_record"
    ]["thread_id"]
    cred_id = issue.accept_offer(world.holder, issue.wait_offer(world.holder, thread_id))
    world.issuer.wait(
        lambda: world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}"),
        lambda d: d["cred_ex_record"]["state"] == "done",
        what=f"issuance {cred_ex_id}",
        topics=issue.TOPICS,
    )

    watch = RevocationWatch(StatusCache(tmp_path / STATUS_FILE), interval=None)
    assert watch.check_now(world.holder, [cred_id]) == []
    assert view(watch.statuses(world.holder)[cred_id]).key == "valid"

    listing = console.get("/issuer/issued").text
    assert f'value="{cred_ex_id}"' in listing
    confirm = console.get(f"/issuer/revoke?id={cred_ex_id}")
    assert confirm.status_code == 200
    done = console.post("/issuer/revoke", {"id": cred_ex_id, "reason": "Contract ended"})
    assert done.status_code == 302, done.text
    row = re.search(
        rf'id="issued-{cred_ex_id}">(.*?)</tr>', console.get("/issuer/issued").text, re.S
    )
    assert ">revoked<" in row.group(1)

    assert watch.check_now(world.holder, [cred_id]) == [cred_id]
    assert view(watch.statuses(world.holder)[cred_id]).key == "revoked"
