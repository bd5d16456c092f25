"""End to end: the consoles drive real agents; the holder answers with the flows."""

import base64
import json
import re
import urllib.parse

import pytest

from wallet import scenario
from wallet.flows import issue, present
from wallet.flows.oob import receive_oob_request

from .conftest import make_console

pytestmark = pytest.mark.e2e


def _pres_ex_id(response):
    assert response.status_code == 302, response.text
    return response.headers["Location"].rsplit("/", 1)[1]


def _answer(world, pres_ex_id):
    thread_id = world.verifier.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")["thread_id"]
    record = present.wait_request(world.holder, thread_id)
    present.present(world.holder, record)
    return present.wait_verified(world.verifier, pres_ex_id)


def _section(html, element_id):
    match = re.search(rf'id="{element_id}">(.*?)</(ul|table)>', html, re.S)
    return match.group(1) if match else ""


def test_template_request_shows_verified_revealed_and_not_received(seeded_world, verifier_console):
    sent = verifier_console.post(
        "/verifier/requests/age_18",
        {"mode": "connection", "connection_id": seeded_world.verifier_conn, "threshold_0": "18"},
    )
    pres_ex_id = _pres_ex_id(sent)
    assert _answer(seeded_world, pres_ex_id).verified
    page = verifier_console.get(f"/verifier/results/{pres_ex_id}").text
    assert ">Verified<" in page
    assert "Nationality" in _section(page, "revealed") and "FR" in _section(page, "revealed")
    assert "Date of birth on or before 2008-11-29" in _section(page, "predicates")
    missing = _section(page, "not-received")
    for label in ("Given name", "Family name", "Date of birth", "City of residence"):
        assert label in missing
    assert "Nationality" not in missing
    for value in ("Alice", "19900415", "Villeurbanne", "Martinez-Oyelaran"):
        assert value not in page


def test_connectionless_request_by_qr_link_is_answered(seeded_world, tmp_path):
    # Trusting exactly the seeded credential definitions keeps the link short enough for
    # a QR code whatever other tests publish (a longer link gets the link alone).
    verifier_console = make_console(
        "verifier",
        seeded_world.verifier,
        tmp_path,
        TRUSTED_CRED_DEFS=list(seeded_world.cred_defs.values()),
    )
    shown = verifier_console.post("/verifier/requests/income_min", {"mode": "oob"})
    assert shown.status_code == 200, shown.text
    assert 'src="data:image/svg+xml' in shown.text
    url = re.search(r'id="request-url" readonly rows="5">([^<]+)<', shown.text).group(1)
    url = url.replace("&amp;", "&")
    oob = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["oob"][0]
    invitation = json.loads(base64.urlsafe_b64decode(oob + "=" * (-len(oob) % 4)))
    pres_ex_id = re.search(r"/verifier/results/([0-9a-f-]{36})", shown.text).group(1)
    record = receive_oob_request(seeded_world.holder, invitation)
    present.present(seeded_world.holder, record)
    assert present.wait_verified(seeded_world.verifier, pres_ex_id).verified
    page = verifier_console.get(f"/verifier/results/{pres_ex_id}").text
    assert ">Verified<" in page and "Acme Robotics SA" in _section(page, "revealed")
    assert "Annual income" in _section(page, "not-received")


def test_issue_form_issues_a_credential_the_holder_accepts(seeded_world, tmp_path):
    console = make_console("issuer", seeded_world.issuer, tmp_path)
    cred_def_id = seeded_world.cred_defs["employment_income"]
    assert cred_def_id in console.get("/issuer/").text
    before = {
        r["cred_ex_record"]["cred_ex_id"]
        for r in seeded_world.issuer.admin.get("/issue-credential-2.0/records")["results"]
    }
    sent = console.post(
        "/issuer/issue/employment_income",
        {
            "connection_id": seeded_world.issuer_conn,
            "cred_def_id": cred_def_id,
            "employer": "Bakery Dupont",
            "job_title": "Baker",
            "annual_income": "31000",
            "employed_since_dateint": "2021-03-01",
        },
    )
    assert sent.status_code == 302, sent.text
    records = seeded_world.issuer.admin.get("/issue-credential-2.0/records")["results"]
    new = [r["cred_ex_record"] for r in records if r["cred_ex_record"]["cred_ex_id"] not in before]
    assert len(new) == 1
    theirs = issue.wait_offer(seeded_world.holder, new[0]["thread_id"])
    cred_id = issue.accept_offer(seeded_world.holder, theirs)
    stored = seeded_world.holder.admin.get(f"/credential/{cred_id}")["attrs"]
    assert stored["employed_since_dateint"] == "20210301"
    seeded_world.issuer.wait(
        lambda: seeded_world.issuer.admin.get(
            f"/issue-credential-2.0/records/{new[0]['cred_ex_id']}"
        )["cred_ex_record"]["state"],
        lambda state: state == "done",
        what="the issuer to finish",
    )
    assert new[0]["cred_ex_id"] in console.get("/issuer/issued").text


def test_predicate_only_proof_leaks_nothing_to_the_verifier(seeded_world, verifier_console):
    sent = verifier_console.post(
        "/verifier/requests/age_only",
        {"mode": "connection", "connection_id": seeded_world.verifier_conn},
    )
    pres_ex_id = _pres_ex_id(sent)
    result = _answer(seeded_world, pres_ex_id)
    assert result.verified and result.revealed == {}
    held = scenario.holder_attributes(seeded_world.holder)
    assert scenario.leaked("city: Villeurbanne.", held, {}) == ["address_city"]  # detector works
    pages = [
        "/verifier/",
        "/verifier/results",
        f"/verifier/results/{pres_ex_id}",
        "/verifier/compose",
        "/connections",
    ]
    index = verifier_console.get("/verifier/").text
    pages += sorted(set(re.findall(r'href="(/verifier/requests/[a-z0-9_-]+)"', index)))
    for url in pages:
        response = verifier_console.get(url)
        assert response.status_code == 200, (
            url,
            response.text[response.text.find("<main") :][:600],
        )
        assert scenario.leaked(response.text, held, {}) == [], url
    records = seeded_world.verifier.admin.get("/present-proof-2.0/records")["results"]
    mine = [r for r in records if r["pres_ex_id"] == pres_ex_id]
    assert scenario.leaked(json.dumps(mine), held, {}) == []
    log = seeded_world.procs["verifier"].log_path.read_text()
    assert pres_ex_id in log or "present" in log  # the log is the verifier's and not empty
    assert scenario.leaked(log, held, {}) == []


def test_publish_runs_in_background_and_reports_ids(seeded_world, tmp_path):
    console = make_console("issuer", seeded_world.issuer, tmp_path)
    started = console.post("/issuer/schemas/national_id/publish", {})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    assert 'data-status-url="' in console.get(job_url).text
    status = seeded_world.issuer.wait(
        lambda: console.get(job_url + ".json").get_json(),
        lambda job: job["state"] != "running",
        what="the publish job",
        timeout=120,
    )
    assert status["state"] == "done", status
    assert status["result"]["cred_def_id"] == seeded_world.cred_defs["national_id"]
    assert status["result"]["issuer_id"] == seeded_world.issuer_did
