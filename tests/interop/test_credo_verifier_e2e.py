"""A verifier firm running Credo and the Tessera wallet's real ACA-Py holder.

Connections both ways complete on both sides, and a proof request in either
present-proof 2.0 format (`anoncreds`, `indy`) is answered through
`wallet.flows.present` and verified by Credo: nationality revealed, age proven.
"""

import datetime

import pytest

from wallet.flows import formats, present

from .conftest import running_credo
from .handshakes import agent_invites, credo_invites
from .requests import age_and_nationality

pytestmark = [pytest.mark.e2e, pytest.mark.interop]


@pytest.fixture(scope="module")
def credo_connection(seeded_world, credo_verifier):
    """Credo's connection id to the Tessera holder (Credo invited)."""
    return credo_invites(credo_verifier, seeded_world.holder)[0]


def test_credo_invites_and_both_sides_complete(seeded_world, credo_verifier):
    credo_side, holder_side = credo_invites(credo_verifier, seeded_world.holder)
    assert credo_verifier.call("get_connection", connection_id=credo_side)["state"] == ("completed")
    record = seeded_world.holder.admin.get(f"/connections/{holder_side}")
    assert record["state"] in ("active", "completed")


def test_wallet_invites_and_both_sides_complete(seeded_world, credo_verifier):
    credo_side, holder_side = agent_invites(seeded_world.holder, credo_verifier)
    connection = credo_verifier.call("get_connection", connection_id=credo_side)
    assert connection["state"] == "completed"
    assert seeded_world.holder.admin.get(f"/connections/{holder_side}")["state"] in (
        "active",
        "completed",
    )


@pytest.mark.parametrize("fmt", ["anoncreds", "indy"])
def test_credo_verifies_the_wallets_answer(seeded_world, credo_verifier, credo_connection, fmt):
    world = seeded_world
    request = age_and_nationality(world.cred_defs, datetime.date.today())
    asked = credo_verifier.call(
        "request_proof", connection_id=credo_connection, format=fmt, request=request
    )

    record = present.wait_request(world.holder, asked["thread_id"])
    assert formats.request_format(record) == fmt
    assert present.anoncreds_request(record)["requested_predicates"].keys() == {"adult"}
    present.present(world.holder, record)

    result = credo_verifier.call("wait_proof", proof_id=asked["proof_id"])
    assert result["state"] == "done", result
    assert result["is_verified"] is True, result
    assert result["presentation_format"] == fmt
    assert result["revealed"] == {"nationality": "FR"}
    assert [p["name"] for p in result["predicates"]] == ["birthdate_dateint"]
    # The holder's record still loads through the admin API, in either format.
    assert holder_done(world.holder, record["pres_ex_id"])["state"] == "done"


def holder_done(holder, pres_ex_id):
    """Wait until the holder's exchange is done (Credo's ack arrived), read by admin GET."""
    return holder.wait(
        lambda: holder.admin.get(f"/present-proof-2.0/records/{pres_ex_id}"),
        lambda record: record["state"] == "done",
        what=f"exchange {pres_ex_id} to be done",
        topics=present.TOPICS,
        match=lambda payload: payload.get("pres_ex_id") == pres_ex_id,
    )


def test_stock_credo_cannot_verify_indy_format_over_other_methods(
    seeded_world, credo_available, tmp_path
):
    """Why the harness's verifier keeps ids (`indy_keeps_ids`): stock Credo 0.6.3 throws.

    When this fails because Credo verified, Credo learned non-Indy ids in the `indy`
    format: drop `KeepIdsLegacyIndyProofFormatService` from tests/interop/credo/agent.mjs.
    """
    world = seeded_world
    with running_credo(world, "Stock Credo Verifier", tmp_path) as stock:
        connection_id, _ = credo_invites(stock, world.holder)
        request = age_and_nationality(world.cred_defs, datetime.date.today())
        asked = stock.call(
            "request_proof", connection_id=connection_id, format="indy", request=request
        )
        record = present.wait_request(world.holder, asked["thread_id"])
        present.present(world.holder, record)
        result = stock.call("wait_proof", proof_id=asked["proof_id"])
    assert result["is_verified"] is not True
    assert "is not a valid did:indy did" in (result["error"] or ""), result
