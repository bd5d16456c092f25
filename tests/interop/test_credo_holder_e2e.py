"""A person's wallet running Credo, with Tessera's issuer and verifier firms.

Tessera's issuer (through `wallet.flows.issue`) issues the identity credential to the
Credo holder; Tessera's verifier (through `wallet.flows.present`) asks it for a proof
and verifies it: nationality revealed, age proven, nothing else received.
"""

import datetime

import pytest

from wallet import scenario
from wallet.flows import issue, present

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


def test_credo_holder_is_issued_and_proves_to_the_verifier(seeded_world, credo_holder):
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

    _, verifier_side = agent_invites(world.verifier, credo_holder)
    request = age_and_nationality(world.cred_defs, datetime.date.today())
    pres_ex_id, thread_id = present.request_proof(world.verifier, verifier_side, request)
    asked = credo_holder.call("wait_proof_request", thread_id=thread_id)
    answered = credo_holder.call("accept_proof_request", proof_id=asked["proof_id"])
    assert answered["presentation_format"] == "anoncreds"

    result = present.wait_verified(world.verifier, pres_ex_id)
    assert result.verified, result.reason
    assert result.revealed == {"nationality": person["nationality"]}
    assert [p["name"] for p in result.predicates] == ["birthdate_dateint"]
    held = {(name, value) for name, value in person.items()}
    assert scenario.leaked(result.record, held, result.revealed) == []
