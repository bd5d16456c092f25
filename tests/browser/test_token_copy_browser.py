"""A new API token in Chromium (#19): shown at the top of Settings where the page opens, the
Copy button puts it on the clipboard; with JavaScript off there is no button and the token
is plain text to select."""

import re

import pytest

from .conftest import PASSPHRASE

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

TOKEN = re.compile(r"^\S{20,}$")


@pytest.fixture(scope="module")
def unlocked_page(page):
    """First run: the wallet created and unlocked (no firm needed for Settings)."""
    page.goto("/")
    page.fill("input[name=passphrase]", PASSPHRASE)
    page.fill("input[name=confirm]", PASSPHRASE)
    page.click("text=Create my wallet")
    page.wait_for_url("**/connections/")
    return page


def _create(page, name):
    page.goto("/settings/")
    page.fill("input[name=name]", name)
    page.click("button:has-text('Create token')")
    page.wait_for_selector("#new-token-box")
    return page.inner_text("#new-token").strip()


def test_the_new_token_opens_in_view_and_copy_puts_it_on_the_clipboard(unlocked_page):
    page = unlocked_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    token = _create(page, "my laptop script")
    assert TOKEN.match(token)
    expect(page.locator("#new-token")).to_be_in_viewport()
    page.click("#copy-token")
    expect(page.locator("#copy-token-status")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert page.console_errors == []


def test_without_javascript_the_token_is_text_and_there_is_no_button(browser, unlocked_page):
    # The same session (its cookies), in a browser context that runs no script.
    context = browser.new_context(
        base_url=unlocked_page.url.split("/connections/")[0],
        java_script_enabled=False,
        storage_state=unlocked_page.context.storage_state(),
    )
    try:
        page = context.new_page()
        token = _create(page, "no script")
        assert TOKEN.match(token)
        expect(page.locator("#new-token")).to_be_visible()
        expect(page.locator("#copy-token")).to_be_hidden()
    finally:
        context.close()
