"""Click through the wallet in Chromium against real agents: first run, connect, accept
offers, read the consent screen, approve, see the verifier's result and the history; decline."""

import datetime
import re

import pytest

from wallet import scenario
from wallet.flows import connect, issue, present
from wallet.web.words import date_words

from .conftest import PASSPHRASE, SCREENSHOTS

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def _connect_by_link(page, firm):
    """Paste the firm's invitation link, read who it is from, accept; return firm's conn id."""
    created = connect.create_invitation(firm)
    page.goto("/connections/")
    page.fill("input[name=url]", created["invitation_url"])
    page.click("text=Read invitation")
    label = firm.admin.status_config()["default_label"]
    assert page.inner_text("#inviter") == label
    page.click("text=Accept and connect")
    conn = connect.inviter_connection(firm, created["invitation"]["@id"])
    connect.wait_active(firm, conn)
    return conn


@pytest.fixture(scope="module")
def wallet(page, firms):
    """First run, connect to both firms, accept the person's credentials via live updates."""
    world = firms.world
    page.goto("/")
    assert page.url.endswith("/setup")
    page.fill("input[name=passphrase]", PASSPHRASE)
    page.fill("input[name=confirm]", PASSPHRASE)
    page.click("text=Create my wallet")
    page.wait_for_url("**/connections/")  # the next step: connect to a firm
    world.issuer_conn = _connect_by_link(page, world.issuer)
    world.verifier_conn = _connect_by_link(page, world.verifier)
    person = scenario.load_person()
    page.goto("/offers/")
    issuer_label = world.issuer.admin.status_config()["default_label"]
    for name, values in person.items():
        schema = world.schemas[name]
        page.wait_for_selector("body[data-live=ready]", state="attached")
        issue.offer_credential(
            world.issuer, world.issuer_conn, world.cred_defs[name], schema, values
        )
        link = page.locator("#live-offers a", has_text=schema.label)
        link.wait_for()  # appears without a reload, from the live long poll...
        news = page.locator("#live-news")  # ...and is said to a screen reader (#22.7)
        expect(news).to_contain_text(f"New offer from {issuer_label}: ")
        expect(news).to_contain_text(schema.label)
        link.click()
        for attr in schema.attributes:
            shown = values[attr.name]  # a date in words (#19.8), anything else as it is
            if attr.type == "dateint":
                shown = date_words(shown)
            assert page.locator("tr", has_text=attr.label).inner_text().endswith(shown)
        page.click("button:has-text('Accept')")
        page.wait_for_url("**/credentials/*")
        page.goto("/offers/")
    page.goto("/credentials/")
    assert page.locator("tbody tr").count() == 2
    return world


def _request(world, page):
    today = datetime.date.today()
    proof_request = scenario.age_income_request(world.cred_defs, today)
    page.goto("/requests/")
    page.wait_for_selector("body[data-live=ready]", state="attached")
    pres_ex_id, _ = present.request_proof(world.verifier, world.verifier_conn, proof_request)
    page.locator("#live-requests a", has_text="Age, nationality and income check").wait_for()
    label = world.verifier.admin.status_config()["default_label"]
    expect(page.locator("#live-news")).to_have_text(
        f"New request from {label}: Age, nationality and income check."
    )
    expect(page.locator("#badge-requests")).to_have_text("1 waiting")
    page.locator("#live-requests a", has_text="Age, nationality and income check").click()
    page.wait_for_selector("#who")
    return pres_ex_id


def test_consent_screen_approve_sends_what_was_shown(page, wallet):
    """The consent screen says what leaves the wallet; approving sends exactly that."""
    pres_ex_id = _request(wallet, page)
    label = wallet.verifier.admin.status_config()["default_label"]
    assert page.inner_text("#who") == label
    revealed = page.inner_text("section.revealed")
    assert "Nationality" in revealed and "FR" in revealed
    proven = page.inner_text("section.predicates")
    assert "Proves you are at least 18; your date of birth is not shared" in proven
    assert "Proves your annual income is at least 30000; the amount is not shared" in proven
    assert "19900415" not in page.content() and "52750" not in page.content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "consent.png"))  # as seen: the action bar at the bottom
    page.click("#approve")
    page.wait_for_url("**/history/")
    result = present.wait_verified(wallet.verifier, pres_ex_id)
    assert result.verified
    assert result.revealed == {"nationality": "FR"}
    row = page.locator("#history tbody tr").first
    text = row.inner_text()
    assert label in text and "nationality" in text and "at least 18" in text
    assert "FR" not in text
    page.screenshot(path=str(SCREENSHOTS / "history.png"), full_page=True)
    assert page.console_errors == []


def test_decline_sends_problem_report_and_logs_it(page, wallet):
    """Declining sends nothing but a reason, and the history says so."""
    pres_ex_id = _request(wallet, page)
    page.fill("#decline input[name=reason]", "Not today, thank you")
    page.click("#decline button")
    page.wait_for_url("**/history/")
    record = present.wait_abandoned(wallet.verifier, pres_ex_id)
    assert "Not today" in (record.get("error_msg") or "")
    assert "Declined" in page.locator("#history tbody tr").first.inner_text()


def test_lock_then_wrong_passphrase_is_refused_and_right_one_reopens(page, wallet, wallet_server):
    """Locking stops the real agent; a wrong key is recognised; the data survives the lock."""
    service = wallet_server[1].extensions["holder_service"]
    page.goto("/credentials/")
    page.click("header button:has-text('Lock')")
    page.wait_for_url("**/unlock")
    assert not service.unlocked
    page.fill("input[name=passphrase]", "not my passphrase")
    page.click("button:has-text('Unlock')")
    assert "Wrong passphrase" in page.inner_text("p.error")
    assert not service.unlocked
    page.fill("input[name=passphrase]", PASSPHRASE)
    page.click("button:has-text('Unlock')")
    page.wait_for_url("**/requests/")
    page.goto("/credentials/")
    assert page.locator("tbody tr").count() == 2
    page.goto("/history/")
    assert page.locator("#history tbody tr").count() == 2


def test_backup_now_replaces_a_refusal_with_what_was_made(page, wallet, tmp_path):
    """A wrong passphrase is refused in place; the right one downloads the backup and says
    so, with the red refusal gone (#19: the error stayed and no success was shown)."""
    from wallet.backup.container import passphrase_opens

    page.goto("/backup/")
    form = "#backup-now-form"
    page.fill(f"{form} input[name=wallet_passphrase]", "not my passphrase")
    page.fill(f"{form} input[name=backup_passphrase]", "backup passphrase 1")
    page.fill(f"{form} input[name=confirm]", "backup passphrase 1")
    page.click(f"{form} button[type=submit]")
    expect(page.locator("#backup-now-status.error")).to_contain_text("passphrase")
    assert page.url.endswith("/backup/")  # refused in place, nothing downloaded
    page.fill(f"{form} input[name=wallet_passphrase]", PASSPHRASE)
    page.fill(f"{form} input[name=backup_passphrase]", "backup passphrase 1")
    page.fill(f"{form} input[name=confirm]", "backup passphrase 1")
    with page.expect_download() as download:
        page.click(f"{form} button[type=submit]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    expect(page.locator("#backup-now-status.flash")).to_contain_text(
        f"Backup made and downloaded as {saved.name}"
    )
    assert page.locator(".error").count() == 0
    assert saved.name.startswith("tessera-backup-") and passphrase_opens(
        saved, "backup passphrase 1"
    )


TOKEN = re.compile(r"^\S{20,}$")


def _create(page, name):
    page.goto("/settings/")
    page.fill("input[name=name]", name)
    page.click("button:has-text('Create token')")
    page.wait_for_selector("#new-token-box")
    return page.inner_text("#new-token").strip()


def test_the_new_token_opens_in_view_and_copy_puts_it_on_the_clipboard(page, wallet):
    """#19: shown at the top of Settings where the page opens; Copy puts it on the clipboard."""
    page.console_errors.clear()  # the earlier tests' (a locked wallet, a refused backup)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    token = _create(page, "my laptop script")
    assert TOKEN.match(token)
    expect(page.locator("#new-token")).to_be_in_viewport()
    page.click("#copy-token")
    expect(page.locator("#copy-token-status")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert page.console_errors == []


def test_without_javascript_the_token_is_text_and_there_is_no_button(browser, page, wallet):
    # The same session (its cookies), in a browser context that runs no script.
    context = browser.new_context(
        base_url=page.url.split("/settings/")[0],
        java_script_enabled=False,
        storage_state=page.context.storage_state(),
    )
    try:
        page = context.new_page()
        token = _create(page, "no script")
        assert TOKEN.match(token)
        expect(page.locator("#new-token")).to_be_visible()
        expect(page.locator("#copy-token")).to_be_hidden()
    finally:
        context.close()
