"""End to end with real agents: over-asking flagged, a smaller answer proposed and accepted,
and a rule of the person's answering a predicate-only request with no click."""

import datetime
import json
import re

import pytest
from console.conftest import make_console
from web.attached import attached_wallet

from wallet import scenario
from wallet.flows import present

pytestmark = pytest.mark.e2e

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def wallet(seeded_world, tmp_path_factory):
    """The wallet app, set up and unlocked over the seeded holder; (person, app, service)."""
    with attached_wallet(seeded_world, tmp_path_factory.mktemp("wallet"), lambda: NOW) as found:
        yield found


@pytest.fixture(scope="module")
def console(seeded_world, tmp_path_factory):
    """The verifier console trusting the seeded issuer."""
    return make_console(
        "verifier",
        seeded_world.verifier,
        tmp_path_factory.mktemp("console"),
        TRUSTED_ISSUERS=[seeded_world.issuer_did],
        REGISTRY_DIR=seeded_world.settings.registry_dir,
    )


def over_asking(world):
    """Name, date of birth and city revealed; employer and exact income revealed."""
    identity = [{"cred_def_id": world.cred_defs["national_id"]}]
    income = [{"cred_def_id": world.cred_defs["employment_income"]}]
    return {
        "name": "Loan sign-up",
        "version": "1.0",
        "requested_attributes": {
            "who": {
                "names": ["given_name", "birthdate_dateint", "address_city"],
                "restrictions": identity,
            },
            "job": {"names": ["employer", "annual_income"], "restrictions": income},
        },
        "requested_predicates": {},
    }


def raw_values(node):
    """Return every "raw" value anywhere in a (verifier) record."""
    if isinstance(node, dict):
        found = {node["raw"]} if isinstance(node.get("raw"), str) else set()
        return found.union(*(raw_values(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(raw_values(v) for v in node))
    return set()


def _records(agent, **query):
    return agent.admin.get("/present-proof-2.0/records", **query)["results"]


def test_over_asking_request_is_flagged_and_the_smaller_answer_is_accepted(
    seeded_world, wallet, console
):
    person, _, service = wallet
    world = seeded_world
    pres_ex_id, thread_id = present.request_proof(
        world.verifier, world.verifier_conn, over_asking(world)
    )
    asked = present.wait_request(world.holder, thread_id)["pres_ex_id"]

    page = person.client.get(f"/requests/{asked}").get_data(as_text=True)
    assert "This request may ask for more than it needs" in page
    assert "prove you are at least 18 instead of revealing your date of birth" in page
    assert "prove your annual income is at least 20000 instead of revealing it" in page
    assert "Reveals a lot: 5 raw values (2 highly sensitive, 3 medium)." in page

    before = {r["pres_ex_id"] for r in _records(world.verifier)}
    sent = person.post(
        f"/requests/{asked}/counter",
        {
            "keep-given_name": "keep",
            "keep-birthdate_dateint": "prove",
            "threshold-birthdate_dateint": "18",
            "keep-address_city": "drop",
            "keep-employer": "keep",
            "keep-annual_income": "prove",
            "threshold-annual_income": "30000",
        },
        form_page=f"/requests/{asked}",
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    original = present.wait_abandoned(world.verifier, pres_ex_id)
    assert "smaller answer" in original["error_msg"]

    proposal = world.verifier.wait(
        lambda: [
            r
            for r in _records(world.verifier, state="proposal-received")
            if r["pres_ex_id"] not in before
        ],
        bool,
        what="the person's proposal",
        topics=present.TOPICS,
    )[0]["pres_ex_id"]
    shown = console.get(f"/verifier/results/{proposal}").text
    assert "Accept: send this smaller request" in shown
    assert "Date of birth" in shown and "on or before 2008-11-29" in shown
    assert "City of residence" not in re.search(r'id="proposed">(.*?)</ul>', shown, re.S)[1]
    assert console.post(f"/verifier/proposals/{proposal}/accept").status_code == 302

    result = present.wait_verified(world.verifier, proposal)
    assert result.verified
    assert set(result.revealed) == {"given_name", "employer"}
    assert sorted(p["name"] for p in result.predicates) == ["annual_income", "birthdate_dateint"]
    record = json.dumps(result.record)
    assert raw_values(result.record) == {"Alice", "Acme Robotics SA"}
    for value in ("19900415", "Villeurbanne", "Martinez-Oyelaran"):
        assert value not in record
    # The income (5 digits) is checked through the raw fields only: a short number can
    # occur by chance among the proof's long decimal integers.

    page = console.get(f"/verifier/results/{proposal}").text
    assert ">Verified<" in page
    entries = service.history.entries()
    assert [(e.action, e.rule) for e in entries[-2:]] == [
        ("declined", "person"),
        ("sent", "proposal:yours"),
    ]
    assert entries[-1].request_name == "Loan sign-up (smaller answer)"
    assert "your smaller answer, accepted by the firm" in person.client.get("/history/").get_data(
        as_text=True
    )


def test_a_rule_answers_a_predicate_only_age_check_with_no_click(seeded_world, wallet):
    person, _, service = wallet
    world = seeded_world
    firm = next(
        c["connection_id"]
        for c in world.holder.admin.get("/connections")["results"]
        if c.get("their_label") == "Tessera demo verifier"
    )
    assert (
        person.post(
            "/settings/rules/firms", {f"firm-{firm}": "trusted"}, form_page="/settings/"
        ).status_code
        == 302
    )
    added = person.post(
        "/settings/rules/shapes",
        {
            "id": "age-checks",
            "then": "approve",
            "firm": "trusted",
            "predicates_only": "on",
            "attributes": "birthdate_dateint",
        },
        form_page="/settings/",
    )
    assert added.status_code == 302
    request = scenario.age_income_request(world.cred_defs, NOW.date())
    age_only = {
        "name": "Adult check",
        "version": "1.0",
        "requested_attributes": {},
        "requested_predicates": {"adult": request["requested_predicates"]["adult"]},
    }
    pres_ex_id, _ = present.request_proof(world.verifier, world.verifier_conn, age_only)
    result = present.wait_verified(world.verifier, pres_ex_id)
    assert result.verified and result.revealed == {}
    entry = service.history.entries()[-1]
    assert (entry.action, entry.rule, entry.revealed) == ("sent", "shape:age-checks", [])
    page = person.client.get("/history/").get_data(as_text=True)
    assert "your rule shape:age-checks" in page
    assert present.requests(world.holder) == []
