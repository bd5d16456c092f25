"""Every wallet page at a phone's viewport (390x844, touch) in Chromium, with real agents
behind it (#22.3-#22.5, #22.9): no sideways scrolling, targets of at least 44x44 px, and
axe-core (with its target-size rule on) finds nothing."""

import datetime
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser.conftest import PASSPHRASE, SCREENSHOTS
from browser.test_consent_terms_browser import GENEROUS
from browser.test_exposure_browser import AGE_CHECK, _approve, _name_and_city

from wallet import scenario
from wallet.flows import connect, issue, present
from wallet.flows import receipts as receipt_flow
from wallet.flows import terms as client
from wallet.flows.negotiation import offer_terms
from wallet.receipts.keys import KeyRing

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 390, 844
MIN_TARGET = 44
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

# Every visible control in the menu and the content, with its box. A radio or checkbox
# inside a label is measured by its label: the label is what a finger presses. A link inside
# running text (a text node of its own parent is not blank) is left out, as axe's
# target-size rule leaves out inline targets: padding it to 44 px would pull the lines of a
# sentence apart, and WCAG 2.5.8 excepts it.
TARGETS_JS = """
() => {
  const seen = new Set(), found = [];
  const controls = document.querySelectorAll(
    'header nav a, header button, main a, main button, main input, main select, main textarea,' +
    ' main summary');
  for (const el of controls) {
    if (el.type === 'hidden' || el.closest('[hidden]')) continue;
    let target = el;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label'))
      target = el.closest('label');
    if (el.tagName === 'A' && [...el.parentElement.childNodes].some(
          n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
    if (seen.has(target)) continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not rendered
    const text = (target.innerText || target.value || target.name || '').trim().slice(0, 40);
    found.push({what: target.tagName.toLowerCase() + ' ' + JSON.stringify(text),
                width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10});
  }
  return found;
}
"""


@dataclass
class Data:
    """Ids of what the real agents put in the wallet, for the pages that show one thing."""

    credential: str = ""
    offer: str = ""
    request: str = ""
    receipt: str = ""
    firm: str = ""
    invitation: str = ""


def _href(page, path, selector):
    page.goto(path)
    return page.locator(selector).first.get_attribute("href")


@pytest.fixture(scope="module")
def data(page, wallet, wallet_server, firms, tmp_path_factory):
    """A wallet with one of everything: an answer under terms (receipt countersigned, so
    history, receipts, earnings and exposure have rows), a request waiting with terms
    offered, an offer waiting, and a firm's invitation to read."""
    world = wallet
    holder = wallet_server[1].extensions["holder_service"].require()
    today = datetime.date.today()
    keys = KeyRing(tmp_path_factory.mktemp("issuer-keys"), "firm")
    thread = _approve(
        page, holder, world.issuer, world.issuer_conn, _name_and_city(world, today), AGE_CHECK, keys
    )
    incoming = client.wait_message(
        world.issuer,
        kind="receipt",
        match=lambda m: m["body"]["receipt"]["proof_thread_id"] == thread,
    )
    receipt_flow.countersign_received(world.issuer, keys, incoming)
    client.wait_message(holder, kind="countersigned", receipt_id=incoming["receipt_id"])

    request = scenario.age_income_request(world.cred_defs, today)
    _, thread = present.request_proof(world.verifier, world.verifier_conn, request)
    firm_key = KeyRing(tmp_path_factory.mktemp("verifier-keys"), "verifier")
    offer_terms(
        world.verifier,
        world.verifier_conn,
        GENEROUS,
        firm_key.for_connection(world.verifier_conn).did,
        thread,
    )
    record = present.wait_request(holder, thread)
    client.wait_message(holder, kind="offer", connection_id=record["connection_id"])

    schema = world.schemas["national_id"]
    person = scenario.load_person()
    page.goto("/offers/")
    issue.offer_credential(
        world.issuer,
        world.issuer_conn,
        world.cred_defs["national_id"],
        schema,
        person["national_id"],
    )
    offer = page.locator("#live-offers a", has_text=schema.label)
    offer.wait_for()  # appears without a reload, from the live long poll
    offer_href = offer.get_attribute("href")
    return Data(
        credential=_href(page, "/credentials/", "tbody a"),
        offer=offer_href,
        request=f"/requests/{record['pres_ex_id']}",
        receipt=_href(page, "/receipts/", "#receipts tbody a"),
        firm=_href(page, "/exposure/", "a.breach"),
        invitation=connect.create_invitation(world.issuer)["invitation_url"],
    )


@pytest.fixture(scope="module")
def fresh_wallet(firms, tmp_path_factory):
    """A second wallet app with nothing in it, for the first-run page; starts no agent."""
    from werkzeug.serving import make_server

    from wallet.settings import Settings
    from wallet.web import create_app

    settings = Settings(home=tmp_path_factory.mktemp("fresh"), loopback_egress=True)
    app = create_app({"SETTINGS": settings, "SECRET_KEY": "phone-test-only"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        app.extensions["holder_service"].close()


def _phone_context(browser, base_url):
    return browser.new_context(
        base_url=base_url,
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )


@pytest.fixture(scope="module")
def phone(browser, wallet_server, data):
    """A phone's page, with its own session: the person unlocked on the phone."""
    context = _phone_context(browser, wallet_server[0])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/unlock")
    page.fill("input[name=passphrase]", PASSPHRASE)
    page.click("button:has-text('Unlock')")
    page.wait_for_url("**/requests/")
    yield page
    context.close()


@pytest.fixture(scope="module")
def stranger(browser, wallet_server, fresh_wallet):
    """Phone pages with no session: the unlock page of the wallet, the first-run page of a
    fresh one."""
    contexts = [_phone_context(browser, url) for url in (wallet_server[0], fresh_wallet)]
    pages = [c.new_page() for c in contexts]
    yield dict(zip(("wallet", "fresh"), pages, strict=True))
    for c in contexts:
        c.close()


def _own_invitation(page, data):
    page.goto("/connections/")
    page.click('button:has-text("Show my wallet\'s invitation")')
    page.wait_for_selector("#own-invitation")


def _preview(page, data):
    page.goto("/connections/")
    page.fill("input[name=url]", data.invitation)
    page.click("text=Read invitation")
    page.wait_for_selector("#inviter")


def _wrong_unlock(page, data):
    page.goto("/unlock")
    page.fill("input[name=passphrase]", "not my passphrase")
    page.click("button:has-text('Unlock')")
    page.wait_for_selector("p.error")


def _setup_error(page, data):
    page.goto("/setup")
    page.fill("input[name=passphrase]", "one passphrase")
    page.fill("input[name=confirm]", "another passphrase")
    page.click("text=Create my wallet")
    page.wait_for_selector("p.error")


def go(path):
    """Reach a page by its address; `path` may name a field of `Data`."""

    def reach(page, data):
        page.goto(path.format(d=data))

    return reach


# (name, who visits, how to reach it). "phone" is unlocked; "wallet" and "fresh" are not.
PAGES = [
    ("requests", "phone", go("/requests/")),
    ("consent", "phone", go("{d.request}")),
    ("offers", "phone", go("/offers/")),
    ("offer", "phone", go("{d.offer}")),
    ("credentials", "phone", go("/credentials/")),
    ("credential", "phone", go("{d.credential}")),
    ("credential-delete", "phone", go("{d.credential}/delete")),
    ("connections", "phone", go("/connections/")),
    ("invitation-preview", "phone", _preview),
    ("own-invitation", "phone", _own_invitation),
    ("history", "phone", go("/history/")),
    ("receipts", "phone", go("/receipts/")),
    ("receipt", "phone", go("{d.receipt}")),
    ("earnings", "phone", go("/earnings/")),
    ("prices", "phone", go("/prices/")),
    ("settings", "phone", go("/settings/")),
    ("exposure", "phone", go("/exposure/")),
    ("breach", "phone", go("{d.firm}")),
    ("backup", "phone", go("/backup/")),
    ("unlock", "wallet", go("/unlock")),
    ("unlock-wrong", "wallet", _wrong_unlock),
    ("setup", "fresh", go("/setup")),
    ("setup-error", "fresh", _setup_error),
]
NAMES = [name for name, _, _ in PAGES]
PHONE_SCREENSHOTS = ("consent", "history")


@pytest.fixture
def visit(phone, stranger, data):
    """Open a page of `PAGES` by its name on the phone; return the Playwright page."""

    def open_(name):
        _, who, reach = next(p for p in PAGES if p[0] == name)
        page = phone if who == "phone" else stranger[who]
        reach(page, data)
        page.wait_for_load_state("load")
        return page

    return open_


@pytest.mark.parametrize("name", NAMES)
def test_no_sideways_scrolling(visit, name):
    page = visit(name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name} ({page.url}) is {width} px wide at a {WIDTH} px viewport"
    if name in PHONE_SCREENSHOTS:  # the README's phone pictures: what the first screen shows
        page.screenshot(path=SCREENSHOTS / f"phone-{name}.png")


@pytest.mark.parametrize("name", NAMES)
def test_targets_are_at_least_44_px(visit, name):
    page = visit(name)
    small = [
        t for t in page.evaluate(TARGETS_JS) if min(t["width"], t["height"]) < MIN_TARGET - 0.5
    ]
    assert small == [], f"{name}: targets under {MIN_TARGET}x{MIN_TARGET} px: {small}"


@pytest.fixture(scope="module")
def axe_script():
    """axe-core's script; set up before the agents, so a missing one skips (or fails) at once."""
    if AXE.exists():
        return AXE
    why = f"axe-core is not installed: run `npm ci` in {AXE.parents[2]}"
    if os.environ.get("TESSERA_REQUIRE_BROWSER"):
        pytest.fail(why)
    pytest.skip(why)


AXE_RUN = """
async () => {
  const result = await axe.run(document, {rules: {'target-size': {enabled: true}}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
}
"""


@pytest.mark.parametrize("name", NAMES)
def test_axe_finds_nothing(axe_script, visit, name):
    page = visit(name)
    page.add_script_tag(path=str(axe_script))
    violations = page.evaluate(AXE_RUN)
    assert violations == [], f"{name} ({page.url}): {violations}"


IN_VIEW_JS = """
(ids) => ids.map(id => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
})
"""


@pytest.mark.parametrize("scroll", [0.0, 0.5])
def test_approve_and_decline_stay_in_reach_on_the_consent_screen(visit, scroll):
    """The action bar sticks to the bottom while the person reads (#22.6)."""
    page = visit("consent")
    page.evaluate(f"window.scrollTo(0, document.body.scrollHeight * {scroll})")
    assert page.evaluate(IN_VIEW_JS, ["approve", "to-decline"]) == [True, True]
