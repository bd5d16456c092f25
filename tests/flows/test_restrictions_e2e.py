"""A referent with several restrictions means any of them (ACA-Py 1.7's lookup says none)."""

import datetime

import pytest

from wallet import scenario
from wallet.flows import present

pytestmark = pytest.mark.e2e

ELSEWHERE = "did:tessera:z6MkelsewhereELSEWHEREelsewhereELSEWHEREelsewhere/creddef/none"


def test_either_of_two_credential_definitions_is_answered(seeded_world):
    world = seeded_world
    request = scenario.age_income_request(world.cred_defs, datetime.date(2026, 11, 29))
    # The income may come from either issuer: ours, or one the holder has nothing from.
    either = [{"cred_def_id": ELSEWHERE}, {"cred_def_id": world.cred_defs[scenario.INCOME]}]
    request["requested_predicates"]["income"]["restrictions"] = either

    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    record = present.wait_request(world.holder, thread_id)
    raw = world.holder.admin.get(f"/present-proof-2.0/records/{record['pres_ex_id']}/credentials")
    assert not any("income" in item["presentation_referents"] for item in raw)  # ACA-Py's AND

    found = present.options(world.holder, record)
    assert found["income"]  # other tests may have added income credentials: all from ours
    assert {c.cred_def_id for c in found["income"]} == {world.cred_defs[scenario.INCOME]}
    present.present(world.holder, record)
    result = present.wait_verified(world.verifier, pres_ex_id)
    assert result.verified
    nationality = scenario.load_person()[scenario.IDENTITY]["nationality"]
    assert result.revealed == {"nationality": nationality}


@pytest.mark.parametrize(
    ("item", "query"),
    [
        ({"name": "x", "restrictions": [{"cred_def_id": "a"}]}, None),  # one: ACA-Py is right
        ({"name": "x"}, None),
        (
            {"names": ["a b", "c"], "restrictions": [{"cred_def_id": "a"}, {"schema_id": "s"}]},
            {
                "$and": [
                    {"$exist": ["attr::ab::value", "attr::c::value"]},
                    {"$or": [{"cred_def_id": "a"}, {"schema_id": "s"}]},
                ]
            },
        ),
    ],
)
def test_only_items_with_several_restrictions_are_searched_by_tessera(item, query):
    request = {"requested_attributes": {"r": item}, "requested_predicates": {}}
    assert present.either_or_queries(request).get("r") == query
