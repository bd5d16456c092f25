"""The exposure map in Chromium against real agents: a firm without terms and a firm under
terms get the person's name and city; 'this firm was breached' at the first sends a real
erasure request over DIDComm to the second, and the history records the breach."""

import datetime
import re

import pytest

from wallet.flows import present
from wallet.flows import receipts as receipt_flow
from wallet.flows import terms as client
from wallet.flows.negotiation import Terms, offer_terms
from wallet.pricing.money import Money
from wallet.receipts.keys import KeyRing
from wallet.schemas import date_to_dateint

from .conftest import SCREENSHOTS
from .test_wallet_browser import wallet  # noqa: F401 - the set-up wallet, reused as a fixture

pytestmark = pytest.mark.e2e

AGE_CHECK = Terms(
    "age-check",
    "consent",
    "P30D",
    False,
    Money.parse({"amount": "5.00", "currency": "EUR"}),
    "Club entry",
)


def _name_and_city(world, today):
    identity = [{"cred_def_id": world.cred_defs["national_id"]}]
    born_by = today.replace(year=today.year - 18)
    return {
        "name": "Name, city and age",
        "version": "1.0",
        "requested_attributes": {
            "who": {"names": ["given_name", "address_city"], "restrictions": identity}
        },
        "requested_predicates": {
            "adult": {
                "name": "birthdate_dateint",
                "p_type": "<=",
                "p_value": date_to_dateint(born_by),
                "restrictions": identity,
            }
        },
    }


def _approve(page, holder, firm, conn, request, terms=None, keys=None):
    """The firm asks (with terms if given); the person approves in the browser."""
    pres_ex_id, thread = present.request_proof(firm, conn, request)
    record = present.wait_request(holder, thread)
    if terms is not None:  # the person agrees the terms by their own click
        offer_terms(firm, conn, terms, keys.for_connection(conn).did, thread)
        client.wait_message(holder, kind="offer", connection_id=record["connection_id"])
        page.goto(f"/requests/{record['pres_ex_id']}")
        page.click("#terms-answer button[value=accept]")
        client.wait_message(
            firm, kind="response", match=lambda m: m["body"]["decision"] == "accept"
        )
    page.goto(f"/requests/{record['pres_ex_id']}")
    if terms is not None:
        assert page.locator("[data-status=agreed]").count() == 1
    page.click("#approve")
    page.wait_for_url("**/history/")
    assert present.wait_verified(firm, pres_ex_id).verified
    return thread


def test_exposure_map_and_breach_send_real_erasure_requests(page, wallet, wallet_server, tmp_path):  # noqa: F811
    world = wallet
    holder = wallet_server[1].extensions["holder_service"].require()
    today = datetime.date.today()
    request = _name_and_city(world, today)
    verifier = world.verifier.admin.status_config()["default_label"]
    issuer = world.issuer.admin.status_config()["default_label"]

    # The verifier firm asks with no terms; the issuer firm asks under an age check's terms.
    _approve(page, holder, world.verifier, world.verifier_conn, request)
    keys = KeyRing(tmp_path / "issuer-keys", "firm")
    thread = _approve(page, holder, world.issuer, world.issuer_conn, request, AGE_CHECK, keys)
    incoming = client.wait_message(
        world.issuer,
        kind="receipt",
        match=lambda m: m["body"]["receipt"]["proof_thread_id"] == thread,
    )
    receipt_flow.countersign_received(world.issuer, keys, incoming)
    receipt_id = incoming["receipt_id"]
    client.wait_message(holder, kind="countersigned", receipt_id=receipt_id)

    # The map: both firms hold the given name and the city; one has no retention limit.
    page.goto("/exposure/")
    assert "Proofs kept 2 raw values out of 2 firms' databases." in page.inner_text("#savings")
    values = page.inner_text("#attributes")
    assert "Your given name is held by 2 firms, one of them with no retention limit." in values
    firm = page.locator(f"article.firm[data-firm='{verifier}']")
    assert "no terms: unknown" in firm.inner_text()
    assert "Villeurbanne" in firm.inner_text()  # read from the person's own credential
    held = page.locator(f"article.firm[data-firm='{issuer}']").inner_text()
    assert "for checking your age" in held and "not asked" in held
    assert page.locator("#chart rect").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "exposure.png"), full_page=True)

    # The verifier firm was breached: what leaked, and the issuer asked to erase the same.
    firm.locator("a.breach").click()
    page.wait_for_url("**/exposure/breach?firm=*")
    assert "City of residence: Villeurbanne" in page.inner_text("#exposed")
    assert "name + city" in page.inner_text("#enables")
    box = page.locator(f"#targets input[value='{receipt_id}']")
    assert box.is_checked()  # an age check is done once answered: past its need
    page.screenshot(path=str(SCREENSHOTS / "breach.png"), full_page=True)
    page.click("#breach button[type=submit]")
    page.wait_for_url("**/exposure/")
    assert f"Erasure asked of: {issuer}" in page.inner_text("p.flash")

    request_sent = client.wait_message(world.issuer, kind="erasure-request", receipt_id=receipt_id)
    assert request_sent["body"]["reason"] == "person-asked"
    held = page.locator(f"article.firm[data-firm='{issuer}']").inner_text()
    assert re.search(r"\basked\b", held)
    page.goto("/history/")
    top = page.locator("#history tbody tr").first.inner_text()
    assert "You reported a breach at this firm" in top and verifier in top
    assert "Villeurbanne" not in top
    assert page.console_errors == []
