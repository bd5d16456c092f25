"""Issue 16's interop story, the person at the wallet's own pages: a Credo verifier firm
invites by out-of-band link, the person accepts it in Tessera's Connections page, Credo
asks a present-proof 2.0 `anoncreds` request (one revealed attribute, one predicate),
the person reads it on the consent screen and approves, and Credo verifies it with the
issuer's did:webvh objects it fetched and checked itself (stock @credo-ts/webvh).
"""

import datetime

import pytest
from web.attached import attached_wallet

from wallet.flows import present

from .conftest import running_credo
from .requests import age_and_nationality

pytestmark = [pytest.mark.e2e, pytest.mark.interop]

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def wallet(seeded_world, tmp_path):
    """The wallet app over the seeded holder; (person, app, service)."""
    with attached_wallet(seeded_world, tmp_path / "wallet", lambda: NOW) as found:
        yield found


def test_the_person_connects_and_approves_in_tessera_and_credo_verifies(
    seeded_world, credo_available, wallet, tmp_path
):
    world = seeded_world
    person, _, service = wallet
    with running_credo(world, "Credo Shop", tmp_path / "credo") as credo:
        created = credo.call("create_invitation")
        preview = person.post("/connections/preview", {"url": created["url"]}, "/connections/")
        assert "Credo Shop" in preview.get_data(as_text=True)
        accepted = person.post("/connections/accept", {"url": created["url"]}, "/connections/")
        assert accepted.status_code == 302
        connection_id = credo.call("wait_connection", oob_id=created["oob_id"])["connection_id"]

        request = age_and_nationality(world.cred_defs, NOW.date())
        asked = credo.call(
            "request_proof", connection_id=connection_id, format="anoncreds", request=request
        )
        record = present.wait_request(world.holder, asked["thread_id"])
        page = person.client.get(f"/requests/{record['pres_ex_id']}").get_data(as_text=True)
        assert '<span id="who">Credo Shop</span>' in page
        assert '<strong>Nationality</strong>: <span class="value">FR</span>' in page
        assert "Proves you are at least 18; your date of birth is not shared." in page
        digest = page.split('name="digest" value="', 1)[1].split('"', 1)[0]
        sent = person.post(
            f"/requests/{record['pres_ex_id']}/approve",
            {"digest": digest},
            form_page=f"/requests/{record['pres_ex_id']}",
        )
        assert sent.status_code == 302, sent.get_data(as_text=True)

        result = credo.call("wait_proof", proof_id=asked["proof_id"])
    assert result["state"] == "done", result
    assert result["is_verified"] is True, result
    assert result["presentation_format"] == "anoncreds"
    assert result["revealed"] == {"nationality": "FR"}
    assert [p["name"] for p in result["predicates"]] == ["birthdate_dateint"]
    [entry] = service.history.entries()
    assert (entry.action, entry.to, entry.revealed) == ("sent", "Credo Shop", ["nationality"])
