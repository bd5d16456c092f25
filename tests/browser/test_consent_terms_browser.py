"""What a person sees of terms in Chromium, against real agents: nothing agreed for them,
no free send without their confirmation, and Enter never agrees or declines (#19.1, #19.2,
#22.1, #22.2)."""

import datetime
from decimal import Decimal

import pytest

from wallet import scenario
from wallet.flows import present
from wallet.flows import terms as client
from wallet.flows.negotiation import Terms, offer_terms, terms_status
from wallet.pricing.money import Money
from wallet.receipts.keys import KeyRing

from . import test_wallet_browser as first_run
from .conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e
wallet = first_run.wallet  # the first-run fixture: set up, connect, accept credentials

# Pays far more than any price a person would set: only their click may agree it.
GENEROUS = Terms("credit-check", "contract", "P1Y", True, Money("EUR", Decimal("9.00")), "Loan")


def _holder(wallet_server):
    return wallet_server[1].extensions["holder_service"].require()


def _offered_request(world, page, wallet_server, tmp_path):
    """Ask for a proof with generous terms; open its consent screen; return ids."""
    today = datetime.date.today()
    request = scenario.age_income_request(world.cred_defs, today)
    page.goto("/requests/")
    pres_ex_id, thread = present.request_proof(world.verifier, world.verifier_conn, request)
    firm_key = KeyRing(tmp_path, "verifier").for_connection(world.verifier_conn).did
    offer_terms(world.verifier, world.verifier_conn, GENEROUS, firm_key, thread)
    holder = _holder(wallet_server)
    record = present.wait_request(holder, thread)
    client.wait_message(  # this request's offer, not an earlier test's on the connection
        holder, kind="offer", match=lambda m: m["body"]["request_thread_id"] == thread
    )
    page.goto(f"/requests/{record['pres_ex_id']}")
    page.wait_for_selector("#terms[data-status=offered]")
    return pres_ex_id, record, thread


def test_fresh_wallet_agrees_to_nothing_and_enter_counters(page, wallet, wallet_server, tmp_path):
    """No prices, no automatic answer; Enter in "Counter with" counters, never accepts."""
    page.goto("/prices/")
    assert "You have not set any prices" in page.inner_text("#no-prices")
    assert page.locator("#automatic input[type=checkbox]:checked").count() == 0
    pres_ex_id, record, thread = _offered_request(wallet, page, wallet_server, tmp_path)
    terms = page.inner_text("#terms")
    assert "Terms offered by" in terms and "Nothing is agreed until you choose here" in terms
    assert "1 year" in terms and "A credit check" in terms and "P1Y" not in terms
    assert page.locator("#terms-answered").count() == 0
    holder = _holder(wallet_server)
    assert terms_status(holder, record["connection_id"], thread) == "offered"
    page.screenshot(path=str(SCREENSHOTS / "consent-terms.png"), full_page=True)

    page.fill("#terms-counter input[name=amount]", "0.70")
    page.fill("#terms-counter input[name=currency]", "EUR")
    page.press("#terms-counter input[name=amount]", "Enter")
    page.wait_for_selector("#terms-answered")
    answer = client.wait_message(wallet.verifier, kind="response")
    assert answer["body"]["decision"] == "counter"
    assert answer["body"]["price"] == {"amount": "0.70", "currency": "EUR"}
    assert "you ask for 0.70 EUR" in page.inner_text("#terms-answered")
    assert terms_status(holder, record["connection_id"], thread) == "offered"

    # Approving now would give the answer away: a separate page asks first.
    page.click("#approve")
    assert "has not agreed to your price: send for free?" in page.inner_text("#free-title")
    page.click("#free-back")
    page.wait_for_selector("#terms[data-status=offered]")
    verifier_state = present.record(wallet.verifier, pres_ex_id).state
    assert verifier_state == "request-sent"  # nothing left the wallet
    page.click("#approve")
    page.click("#free-confirm button")
    page.wait_for_url("**/history/")
    assert present.wait_verified(wallet.verifier, pres_ex_id).verified
    assert page.console_errors == []


def test_enter_on_a_reason_or_in_your_words_declines_nothing(page, wallet, wallet_server):
    """Only the Decline button declines."""
    today = datetime.date.today()
    request = scenario.age_income_request(wallet.cred_defs, today)
    pres_ex_id, thread = present.request_proof(wallet.verifier, wallet.verifier_conn, request)
    record = present.wait_request(_holder(wallet_server), thread)
    page.goto(f"/requests/{record['pres_ex_id']}")
    holder = _holder(wallet_server)
    for field, typed in (("code", None), ("reason", "Not this one")):
        control = f"#decline input[name={field}] >> nth=0"
        if typed:
            page.fill(control, typed)
        else:
            page.check(control)
        page.press(control, "Enter")
        assert "Nothing was declined" in page.inner_text("p.error")
        assert present.record(holder, record["pres_ex_id"]).state == "request-received"
    page.fill("#decline input[name=reason]", "Not this one")
    page.click("#decline button:has-text('Decline')")
    page.wait_for_url("**/history/")
    abandoned = present.wait_abandoned(wallet.verifier, pres_ex_id)
    assert "Not this one" in (abandoned.get("error_msg") or "")


# Every control of the consent screen, one key per Tab stop: a radio group is one stop
# (arrows move inside it); controls in a closed fold and disabled ones are not stops.
CONTROLS_JS = """() => {
  const key = e => e.type === 'radio' ? 'radio:' + e.name
    : (e.id || (e.tagName + ':' + (e.name || '') + ':' + (e.value || e.textContent.trim())));
  const folded = e => {  // in a closed fold, unless it is that fold's own summary
    for (let d = e.parentElement.closest('details:not([open])'); d;
         d = d.parentElement && d.parentElement.closest('details:not([open])')) {
      if (!(e.tagName === 'SUMMARY' && e.parentElement === d)) return true;
    }
    return false;
  };
  const hidden = e => {
    const box = e.getBoundingClientRect();
    return folded(e) || (box.width === 0 && box.height === 0);
  };
  const all = document.querySelectorAll(['a[href]', 'button', 'input:not([type=hidden])',
    'select', 'textarea', 'summary'].map(s => 'main ' + s).join(', '));
  return [...new Set([...all].filter(e => !e.disabled && !hidden(e)).map(key))];
}"""
FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const key = e.type === 'radio' ? 'radio:' + e.name
    : (e.id || (e.tagName + ':' + (e.name || '') + ':' + (e.value || e.textContent.trim())));
  const style = getComputedStyle(e);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  return {key, ring, inMain: !!e.closest('main')};
}"""


def test_every_consent_control_is_reached_by_tab_with_a_visible_focus(
    page, wallet, wallet_server, tmp_path
):
    """#22: the keyboard reaches every control of a consent screen with terms, in a
    focus ring the eye can see; nothing is agreed or declined by moving through it."""
    _, record, thread = _offered_request(wallet, page, wallet_server, tmp_path)
    expected = page.evaluate(CONTROLS_JS)
    assert len(expected) >= 5, expected  # approve, decline, terms answers at least
    page.locator("body").focus()
    reached, unseen = [], []
    for _ in range(4 * len(expected) + 40):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUSED_JS)
        if found is None:
            continue
        if reached and found["key"] == reached[0]:
            break  # round the page once
        reached.append(found["key"])
        if not found["ring"]:
            unseen.append(found["key"])
    assert [k for k in expected if k not in reached] == []
    assert unseen == []
    holder = _holder(wallet_server)
    assert terms_status(holder, record["connection_id"], thread) == "offered"
    assert present.record(holder, record["pres_ex_id"]).state == "request-received"
