"""The README's demo walkthrough clicked through in Chromium: one browser, three tabs (the
person's wallet, the issuer's console, the verifier's console) on the running demo world."""

import datetime
import re
import time

import pytest

from wallet.scenario import load_person
from wallet.settings import Settings

from .conftest import PASSPHRASE, SCREENSHOTS
from .demo_helpers import demo_in_thread, demo_port_offset

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.e2e

ALIAS = "Alice"
ISSUER_LABEL, VERIFIER_LABEL = "Tessera demo issuer", "Tessera demo verifier"
PAGE_TIMEOUT_MS = 120_000
POLL_TIMEOUT = 120.0


def never_said(value):
    """Return the ways a date `YYYYMMDD` could be written on a page."""
    day = datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    return [
        value,
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        day.strftime("%m/%d/%Y"),
        day.strftime("%d.%m.%Y"),
        f"{day.day} {day:%B %Y}",
        f"{day:%B} {day.day}, {day.year}",
    ]


def open_tab(context, url, errors):
    """Open `url` in a new tab that records console errors."""
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.goto(url)
    return page


def log_in(console, password):
    """Log into a firm's console with the password the demo printed."""
    assert "/login" in console.url
    console.fill("#password", password)
    console.click("button:has-text('Log in')")
    console.wait_for_selector("nav")


def invitation_link(console):
    """Create an invitation for the person in a console; return its link, as one copies it."""
    console.click("nav >> text=Connections")
    console.fill("#alias", ALIAS)
    console.click("button:has-text('Create invitation')")
    return console.input_value("#invitation-url")


def connect_wallet(wallet, base, link, inviter):
    """Paste the invitation link into the wallet, check who it is from, accept."""
    wallet.goto(base + "connections/")
    wallet.fill("input[name=url]", link)
    wallet.click("button:has-text('Read invitation')")
    assert wallet.inner_text("#inviter") == inviter
    wallet.click("button:has-text('Accept and connect')")
    wallet.wait_for_load_state()


def reload_until_connected(console, url):
    """Reload a console form until it offers the person's connection (active once the
    wallet's DID exchange completes)."""
    option = console.locator("#connection_id option", has_text=ALIAS)
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        console.goto(url)
        if option.count() == 1:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"The connection to {ALIAS} did not become active in {url}.")
        time.sleep(0.25)


def reload_until(page, url, selector, what):
    """Reload a page until `selector` is on it (terms arrive and are agreed by messages)."""
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        page.goto(url)
        if page.locator(selector).count() == 1:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not show in {url}.")
        time.sleep(0.25)


def test_demo_walkthrough_proves_age_without_the_birthdate(tmp_path, browser):
    person = load_person()["national_id"]
    hidden = [
        *never_said(person["birthdate_dateint"]),
        person["family_name"],
        person["address_city"],
    ]
    settings = Settings(home=tmp_path / "home", port_offset=demo_port_offset())
    with demo_in_thread(settings) as demo:
        context = browser.new_context(locale="en-GB")
        errors = []
        try:
            wallet = open_tab(context, demo.urls["wallet"], errors)
            w = demo.urls["wallet"]

            # The person's first run: choose a passphrase; the wallet's agent starts.
            assert wallet.url.endswith("/setup")
            wallet.fill("input[name=passphrase]", PASSPHRASE)
            wallet.fill("input[name=confirm]", PASSPHRASE)
            wallet.click("button:has-text('Create my wallet')")
            wallet.wait_for_url("**/connections/")
            assert "Next, connect to a firm" in wallet.text_content("main")

            # Issuer console: log in, invite the person, the wallet connects.
            issuer = open_tab(context, demo.urls["issuer"], errors)
            log_in(issuer, demo.passwords["issuer"])
            connect_wallet(wallet, w, invitation_link(issuer), ISSUER_LABEL)

            # Issue a national identity through the form, dates picked as dates.
            issuer.click("nav >> text=Schemas")
            issue_url = issuer.locator("#schema-national_id a", has_text="Issue").get_attribute(
                "href"
            )
            reload_until_connected(issuer, demo.urls["issuer"].rstrip("/") + issue_url)
            issuer.select_option("#connection_id", label=ALIAS)
            for name, value in person.items():
                field = issuer.locator(f"#{name}")
                if field.get_attribute("type") == "date":
                    value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
                field.fill(value)
            assert issuer.get_attribute("#birthdate_dateint", "type") == "date"
            issuer.locator("#address_city").blur()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            issuer.screenshot(path=str(SCREENSHOTS / "issuer-issue.png"), full_page=True)
            issuer.click("button:has-text('Offer the credential')")
            issuer.wait_for_url("**/issuer/issued")
            assert "offered" in issuer.inner_text("p.flash")

            # Wallet: the offer appears live; read it; accept.
            wallet.goto(w + "offers/")
            wallet.locator("#live-offers a", has_text="National identity").click()
            offered = wallet.inner_text("table.values")
            assert person["given_name"] in offered and person["family_name"] in offered
            wallet.click("button:has-text('Accept')")
            wallet.wait_for_url("**/credentials/*")

            # Verifier console: log in, invite, the wallet connects.
            verifier = open_tab(context, demo.urls["verifier"], errors)
            log_in(verifier, demo.passwords["verifier"])
            connect_wallet(wallet, w, invitation_link(verifier), VERIFIER_LABEL)

            # Send "Age at least 18" to the wallet's connection.
            verifier.click("nav >> text=Requests")
            send_url = verifier.get_attribute("ul.templates a:text-is('Age at least 18')", "href")
            reload_until_connected(verifier, demo.urls["verifier"].rstrip("/") + send_url)
            verifier.select_option("#connection_id", label=ALIAS)
            verifier.click("button:has-text('Send to the connection')")
            verifier.wait_for_url(re.compile(r".*/verifier/results/[0-9a-f-]+$"))
            result_url = verifier.url

            # Wallet: the consent screen says what leaves it, and not the birthdate.
            wallet.goto(w + "requests/")
            wallet.locator("#live-requests a", has_text="Age at least 18").click()
            assert wallet.inner_text("#who") == VERIFIER_LABEL
            proven = wallet.inner_text("section.predicates")
            assert "Proves you are at least 18; your date of birth is not shared" in proven
            shared = wallet.inner_text("section.revealed")
            assert "Nationality" in shared and person["nationality"] in shared
            consent = wallet.content()
            assert [v for v in never_said(person["birthdate_dateint"]) if v in consent] == []
            # The demo verifier states its terms; nothing is agreed until the person clicks.
            request_url = wallet.url
            reload_until(wallet, request_url, "[data-status=offered]", "The firm's terms")
            wallet.click("#terms-answer button[value=accept]")
            reload_until(wallet, request_url, "[data-status=agreed]", "The agreed terms")
            wallet.click("#approve")
            wallet.wait_for_url("**/history/")

            # Verifier: verified, the predicate proven, what it did not receive.
            verifier.goto(result_url)
            playwright.expect(verifier.locator("#verdict")).to_have_text(
                "Verified", timeout=PAGE_TIMEOUT_MS
            )
            facts = verifier.inner_text("#predicates")
            year = datetime.date.today().year - 18
            threshold = rf"Date of birth (proven )?on or before {year}-\d\d-\d\d"
            assert re.search(threshold, facts), facts
            assert person["nationality"] in verifier.inner_text("#revealed")
            missing = verifier.inner_text("#not-received")
            for label in ("Date of birth", "Given name", "Family name", "City of residence"):
                assert label in missing
            verifier.screenshot(path=str(SCREENSHOTS / "verifier-result.png"), full_page=True)

            # The birthdate (and the other unrevealed values) appear on no verifier page.
            pages = {result_url: verifier.content()}
            for link in ("Requests", "Results", "Connections"):
                verifier.click(f"nav >> text={link}")
                pages[verifier.url] = verifier.content()
            verifier.goto(demo.urls["verifier"].rstrip("/") + send_url)
            pages[verifier.url] = verifier.content()
            leaks = {url: [v for v in hidden if v in html] for url, html in pages.items()}
            assert all(found == [] for found in leaks.values()), leaks
            assert errors == []
        finally:
            context.close()
