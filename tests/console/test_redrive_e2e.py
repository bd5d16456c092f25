"""End to end: the consoles drive on exchanges never answered, with real agents.

A request or offer the person's wallet never answered is sent again and the first one
withdrawn (the wallet's copy ends abandoned, so the person never holds two live ones);
a presentation the verifier's agent received without checking is checked.
"""

import pytest

from wallet.flows import issue, present

from .conftest import make_console

pytestmark = pytest.mark.e2e


def _thread(agent, pres_ex_id):
    return agent.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")["thread_id"]


def _location_id(response):
    assert response.status_code == 302, response.text
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def test_a_request_asked_again_is_withdrawn_at_the_wallet_and_the_new_one_verified(
    seeded_world, verifier_console
):
    world = seeded_world
    first = _location_id(
        verifier_console.post(
            "/verifier/requests/age_only",
            {"mode": "connection", "connection_id": world.verifier_conn},
        )
    )
    held_first = present.wait_request(world.holder, _thread(world.verifier, first))
    page = verifier_console.get(f"/verifier/results/{first}").text
    assert 'id="ask-again"' in page and 'data-stuck="no"' in page  # just sent: not stuck

    again = _location_id(verifier_console.post(f"/verifier/results/{first}/ask-again", {}))
    assert again != first
    withdrawn = present.wait_abandoned(world.holder, held_first["pres_ex_id"])
    assert "asked again" in (withdrawn.error_msg or "")
    assert present.record(world.verifier, first).state == "abandoned"

    held_again = present.wait_request(world.holder, _thread(world.verifier, again))
    assert (
        present.anoncreds_request(held_again)["requested_predicates"]
        == (present.anoncreds_request(held_first)["requested_predicates"])
    )
    assert (
        present.anoncreds_request(held_again)["nonce"]
        != (present.anoncreds_request(held_first)["nonce"])
    )
    present.present(world.holder, held_again)
    assert present.wait_verified(world.verifier, again).verified
    assert 'id="waiting"' not in verifier_console.get(f"/verifier/results/{again}").text


def test_a_presentation_received_unchecked_is_checked_from_the_console(
    seeded_world, verifier_console
):
    """As when the verifier's agent was down as the answer came: nothing verified it.

    The seeded verifier also verifies what arrives (auto-verify-presentation), so its own
    check races the console's: the console must answer well whichever comes first.
    """
    world = seeded_world
    proof_request = {
        "name": "Age",
        "version": "1.0",
        "requested_attributes": {},
        "requested_predicates": {
            "age": {
                "name": "birthdate_dateint",
                "p_type": "<=",
                "p_value": 20000101,
                "restrictions": [{"cred_def_id": world.cred_defs["national_id"]}],
            }
        },
    }
    body = present.request_body(proof_request, connection_id=world.verifier_conn)
    sent = world.verifier.admin.post(
        "/present-proof-2.0/send-request", {**body, "auto_verify": False}
    )
    pres_ex_id = sent["pres_ex_id"]
    present.present(world.holder, present.wait_request(world.holder, sent["thread_id"]))
    world.verifier.wait(
        lambda: present.record(world.verifier, pres_ex_id),
        lambda r: r.state == "presentation-received",
        what="the presentation to arrive",
    )
    page = verifier_console.get(f"/verifier/results/{pres_ex_id}").text
    assert 'id="check-again"' in page or ">Verified<" in page  # unless the agent was first

    checked = verifier_console.post(f"/verifier/results/{pres_ex_id}/check-again", {})
    assert checked.status_code == 302
    assert present.wait_verified(world.verifier, pres_ex_id).verified
    assert ">Verified<" in verifier_console.get(f"/verifier/results/{pres_ex_id}").text


def test_an_offer_made_again_is_withdrawn_at_the_wallet_and_the_new_one_accepted(
    seeded_world, tmp_path
):
    world = seeded_world
    console = make_console("issuer", world.issuer, tmp_path)
    values = {
        "employer": "Bakery Dupont",
        "job_title": "Baker",
        "annual_income": "32000",
        "employed_since_dateint": "20210301",
    }
    schema = world.schemas["employment_income"]
    first = issue.offer_credential(
        world.issuer, world.issuer_conn, world.cred_defs["employment_income"], schema, values
    )
    first_thread = world.issuer.admin.get(f"/issue-credential-2.0/records/{first}")[
        "cred_ex_record"
    ]["thread_id"]
    issue.wait_offer(world.holder, first_thread)
    assert f'id="offer-again-{first}"' in console.get("/issuer/issued").text

    assert console.post(f"/issuer/issued/{first}/offer-again", {}).status_code == 302
    world.holder.wait(
        lambda: issue.records(world.holder, thread_id=first_thread)[0],
        lambda r: r.state == "abandoned",
        what="the first offer to be withdrawn",
        timeout=30,
    )
    newer = [
        r
        for r in issue.records(world.issuer, role="issuer", state="offer-sent")
        if r.cred_ex_id != first and r.values == values
    ]
    assert len(newer) == 1
    held_again = issue.wait_offer(world.holder, newer[0].thread_id)
    cred_id = issue.accept_offer(world.holder, held_again)
    assert world.holder.admin.get(f"/credential/{cred_id}")["attrs"]["annual_income"] == "32000"
    states = {r.cred_ex_id: r.state for r in issue.records(world.issuer, role="issuer")}
    assert states[first] == "abandoned"
