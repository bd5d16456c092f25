"""A person's wallet running Credo, with Tessera's issuer and verifier firms.

Tessera's issuer (through `wallet.flows.issue`) issues the identity credential to the
Credo holder; Tessera's verifier (through `wallet.flows.present`) asks it for a proof
and verifies it: nationality revealed, age proven, nothing else received. When the
verifier's console states terms, Credo cannot read them: the console says so and the
request goes on without terms.
"""

import datetime

import pytest
from console.conftest import make_console
from console.test_terms_form import GOOD as TERMS
from speedups.peers import disclosed_features

from wallet import scenario
from wallet.console import firm_terms
from wallet.flows import issue, present, terms
from wallet.speedups import ack_peers

from .handshakes import agent_invites
from .requests import age_and_nationality

pytestmark = [pytest.mark.e2e, pytest.mark.interop]


def wait_issued(issuer, cred_ex_id, timeout=30.0):
    """Wait until the issuer's exchange is done (the holder acknowledged the credential)."""
    return issuer.wait(
        lambda: issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}"),
        lambda detail: detail["cred_ex_record"]["state"] == "done",
        what=f"issuance {cred_ex_id} to finish",
        topics=issue.TOPICS,
        match=lambda payload: payload.get("cred_ex_id") == cred_ex_id,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def issued_holder(seeded_world, credo_holder):
    """The Credo holder once Tessera's issuer has issued it the identity credential."""
    world = seeded_world
    person = scenario.load_person()[scenario.IDENTITY]

    _, issuer_side = agent_invites(world.issuer, credo_holder)
    cred_ex_id = issue.offer_credential(
        world.issuer,
        issuer_side,
        world.cred_defs[scenario.IDENTITY],
        world.schemas[scenario.IDENTITY],
        person,
    )
    offer = credo_holder.call("wait_offer")
    stored = credo_holder.call(
        "accept_offer", credential_exchange_id=offer["credential_exchange_id"]
    )
    assert stored["state"] == "done" and len(stored["credentials"]) == 1
    wait_issued(world.issuer, cred_ex_id)
    return credo_holder


def test_credo_holder_is_issued_and_proves_to_the_verifier(seeded_world, issued_holder):
    world, credo_holder = seeded_world, issued_holder
    person = scenario.load_person()[scenario.IDENTITY]

    _, verifier_side = agent_invites(world.verifier, credo_holder)
    # Credo answers the verifier's question, but does not end an exchange without an ack.
    disclosed = disclosed_features(world.verifier, verifier_side)
    assert ack_peers.GOAL_CODE not in {feature.get("id") for feature in disclosed}
    request = age_and_nationality(world.cred_defs, datetime.date.today())
    pres_ex_id, thread_id = present.request_proof(world.verifier, verifier_side, request)
    sent = world.verifier.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")
    assert sent["pres_request"]["will_confirm"] is True
    asked = credo_holder.call("wait_proof_request", thread_id=thread_id)
    answered = credo_holder.call("accept_proof_request", proof_id=asked["proof_id"])
    assert (answered["presentation_format"], answered["state"]) == ("anoncreds", "done")

    result = present.wait_verified(world.verifier, pres_ex_id)
    assert result.verified, result.reason
    assert result.revealed == {"nationality": person["nationality"]}
    assert [p["name"] for p in result.predicates] == ["birthdate_dateint"]
    held = {(name, value) for name, value in person.items()}
    assert scenario.leaked(result.record, held, result.revealed) == []


def test_terms_a_credo_wallet_cannot_read_are_shown_as_not_used(
    seeded_world, issued_holder, tmp_path
):
    world, credo_holder = seeded_world, issued_holder
    console = make_console(
        "verifier",
        world.verifier,
        tmp_path,
        TRUSTED_ISSUERS=[world.issuer_did],
        REGISTRY_DIR=world.settings.registry_dir,
    )
    _, verifier_side = agent_invites(world.verifier, credo_holder)
    sent = console.post(
        "/verifier/requests/age_18",
        {"mode": "connection", "connection_id": verifier_side, "threshold_0": "18", **TERMS},
    )
    assert sent.status_code == 302, sent.text
    pres_ex_id = sent.headers["Location"].rsplit("/", 1)[1]
    thread_id = present.record(world.verifier, pres_ex_id).thread_id

    refusal = terms.wait_message(
        world.verifier, kind=terms.PROBLEM, connection_id=verifier_side, timeout=60
    )
    assert refusal["body"]["refused_kind"] == "offer" and refusal["body"]["not_supported"]
    assert not terms.uses_terms(world.verifier, verifier_side)
    assert firm_terms.negotiation(world.verifier, verifier_side, thread_id).status == "not used"

    asked = credo_holder.call("wait_proof_request", thread_id=thread_id)
    credo_holder.call("accept_proof_request", proof_id=asked["proof_id"])
    assert present.wait_verified(world.verifier, pres_ex_id).verified
    page = console.get(f"/verifier/results/{pres_ex_id}").text
    assert 'data-status="not used"' in page
    assert "does not use Tessera terms" in page and "Your terms: offered" not in page
