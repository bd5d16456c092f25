"""Revocation end to end with real agents: issue, prove, revoke, prove again, fill a registry."""

import time

import pytest

from wallet import scenario
from wallet.errors import InputError, UnsatisfiableRequest
from wallet.flows import issue, present, revocation

pytestmark = pytest.mark.e2e

INCOME = scenario.INCOME
REGISTRY_SIZE = 4


@pytest.fixture(scope="module")
def revocable(seeded_world):
    """A revocable income cred def with small registries (created once: prime generation)."""
    world = seeded_world
    schema_id = world.schema_ids[INCOME]
    cred_def_id = revocation.create_revocable_cred_def(
        world.issuer, world.issuer_did, schema_id, tag="revocable", registry_size=REGISTRY_SIZE
    )
    return world, cred_def_id


def issue_tracked(world, cred_def_id, values):
    """Issue one credential; return (issuer's cred_ex_id, holder's cred_id)."""
    schema = world.schemas[INCOME]
    cred_ex_id = issue.offer_credential(
        world.issuer, world.issuer_conn, cred_def_id, schema, values
    )
    record = world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}")
    theirs = issue.wait_offer(world.holder, record["cred_ex_record"]["thread_id"])
    cred_id = issue.accept_offer(world.holder, theirs)
    world.issuer.wait(
        lambda: world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}"),
        lambda d: d["cred_ex_record"]["state"] == "done",
        what=f"issuance {cred_ex_id}",
        topics=issue.TOPICS,
    )
    return cred_ex_id, cred_id


def income_request(cred_def_id, now):
    """Income >= 30000 from the revocable cred def, not revoked as of now."""
    request = {
        "name": "Income check",
        "version": "1.0",
        "requested_attributes": {},
        "requested_predicates": {
            "income": {
                "name": "annual_income",
                "p_type": ">=",
                "p_value": 30000,
                "restrictions": [{"cred_def_id": cred_def_id}],
            }
        },
    }
    return revocation.non_revoked(request, now)


def ask(world, request):
    """Send a request; return (verifier's pres_ex_id, holder's record)."""
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    return pres_ex_id, present.wait_request(world.holder, thread_id)


def present_anyway(world, record, cred_id):
    """Present `cred_id` bypassing Tessera's filter, as a wallet with stale status would."""
    body = {
        "requested_attributes": {},
        "requested_predicates": {"income": {"cred_id": cred_id}},
        "self_attested_attributes": {},
    }
    world.holder.admin.post(
        f"/present-proof-2.0/records/{record['pres_ex_id']}/send-presentation",
        {"anoncreds": body},
    )


def test_revoked_credential_fails_as_revoked_and_its_neighbour_still_proves(revocable, tmp_path):
    world, cred_def_id = revocable
    values = scenario.load_person()[INCOME]
    ex_a, cred_a = issue_tracked(world, cred_def_id, values)
    ex_b, cred_b = issue_tracked(world, cred_def_id, values)
    rec_a = revocation.issued_record(world.issuer, ex_a)
    rec_b = revocation.issued_record(world.issuer, ex_b)
    assert rec_a["rev_reg_id"] == rec_b["rev_reg_id"]

    pres_ex_id, record = ask(world, income_request(cred_def_id, time.time()))
    present.present(world.holder, record, chosen={"income": cred_a})
    assert present.wait_verified(world.verifier, pres_ex_id).verified

    cache = revocation.StatusCache(tmp_path / revocation.STATUS_FILE)
    revocation.refresh(world.holder, cache, now=time.time())
    revoked_rec = revocation.revoke(world.issuer, ex_a, comment="Contract ended")
    assert revoked_rec["state"] == "revoked"

    # The person learns it from the wallet, before any verifier.
    statuses, newly = revocation.refresh(world.holder, cache, now=time.time())
    assert newly == [cred_a]
    assert statuses[cred_a].revoked and statuses[cred_a].label == "revoked"
    assert not statuses[cred_b].revoked
    assert revocation.StatusCache(cache.path).load()[cred_a].revoked
    assert revocation.refresh(world.holder, cache, now=time.time())[1] == []

    # Tessera never offers the revoked credential...
    pres_ex_id, record = ask(world, income_request(cred_def_id, time.time()))
    usable = present.options(world.holder, record)
    assert cred_a not in {c.cred_id for c in usable["income"]}
    with pytest.raises(InputError):
        present.present(world.holder, record, chosen={"income": cred_a})
    # ...and a wallet that presents it anyway gets a clear "revoked" result.
    present_anyway(world, record, cred_a)
    result = present.wait_verified(world.verifier, pres_ex_id)
    print("verified_msgs for a revoked credential:", result.record.get("verified_msgs"))
    assert not result.verified
    assert result.revoked
    assert result.reason.startswith("revoked:")

    pres_ex_id, record = ask(world, income_request(cred_def_id, time.time()))
    present.present(world.holder, record, chosen={"income": cred_b})
    result = present.wait_verified(world.verifier, pres_ex_id)
    assert result.verified and not result.revoked and result.reason == ""


def test_registry_filling_up_rotates_without_a_failed_offer(revocable):
    world, cred_def_id = revocable
    values = scenario.load_person()[INCOME]
    issued = [issue_tracked(world, cred_def_id, values) for _ in range(6)]
    registries = [revocation.issued_record(world.issuer, ex)["rev_reg_id"] for ex, _ in issued]
    assert len(set(registries)) >= 2, registries
    # The newest credential, on a registry created after the first filled up, proves.
    pres_ex_id, record = ask(world, income_request(cred_def_id, time.time()))
    present.present(world.holder, record, chosen={"income": issued[-1][1]})
    assert present.wait_verified(world.verifier, pres_ex_id).verified


def test_batch_revocation_publishes_once_and_request_is_only_answerable_by_revoked(revocable):
    world, cred_def_id = revocable
    issued = world.issuer.admin.get("/issue-credential-2.0/records", role="issuer", state="done")[
        "results"
    ]
    mine = [
        r["cred_ex_record"]["cred_ex_id"]
        for r in issued
        if (r.get("anoncreds") or {}).get("rev_reg_id")
        and (r.get("anoncreds") or {}).get("cred_def_id", cred_def_id) == cred_def_id
    ]
    live = [ex for ex in mine if revocation.issued_record(world.issuer, ex)["state"] != "revoked"]
    if not live:
        values = scenario.load_person()[INCOME]
        live = [issue_tracked(world, cred_def_id, values)[0] for _ in range(2)]
    published = revocation.revoke_many(world.issuer, live, comment="Employer closed")
    assert sum(len(v) for v in published.values()) == len(live)
    assert all(revocation.issued_record(world.issuer, ex)["state"] == "revoked" for ex in live)

    _pres_ex_id, record = ask(world, income_request(cred_def_id, time.time()))
    reasons = present.why_unanswerable(world.holder, record)
    assert reasons == {"income": "only a revoked credential proves annual_income >= 30000"}
    with pytest.raises(UnsatisfiableRequest, match="only a revoked credential"):
        present.present(world.holder, record)
    present.decline(world.holder, record["pres_ex_id"], "only revoked credentials")
