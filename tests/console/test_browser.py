"""Click through both consoles in Debian's Chromium against real agents."""

import contextlib
import shutil
import threading

import pytest
from browser.conftest import CHROMIUM
from browser.conftest import CHROMIUM_ARGS as ARGS
from werkzeug.serving import make_server

from wallet.flows import present

from .conftest import TODAY, TOKEN

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"{CHROMIUM} is not installed"),
]


@contextlib.contextmanager
def serving(app):
    """Serve `app` on 127.0.0.1 (free port) in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _login(page, base):
    page.goto(base + "/")
    page.fill("#password", TOKEN)
    page.click("button[type=submit]")


def test_issuer_console_publishes_with_live_progress(seeded_world, tmp_path, browser):
    from wallet.console import create_app

    app = create_app("issuer", seeded_world.issuer, {"DATA_DIR": tmp_path, "CONSOLE_TOKEN": TOKEN})
    errors = []
    with serving(app) as base:
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _login(page, base)
        page.click("#schema-employment_income button[type=submit]")
        playwright.expect(page.locator("#job-state")).to_have_text("done", timeout=60_000)
        cred_def = seeded_world.cred_defs["employment_income"]
        playwright.expect(page.locator("#job-result")).to_contain_text(cred_def)
        page.click("text=Connections")
        page.fill("#alias", "Bob")
        page.click("text=Create invitation")
        playwright.expect(page.locator("img.qr")).to_be_visible()
        page.close()
    assert errors == []  # no CSP violation or script error


def test_verifier_console_sends_and_shows_result(seeded_world, tmp_path, browser):
    from wallet.console import close_app, create_app

    app = create_app(
        "verifier",
        seeded_world.verifier,
        {
            "DATA_DIR": tmp_path,
            "CONSOLE_TOKEN": TOKEN,
            "CLOCK": lambda: TODAY,
            "TRUSTED_ISSUERS": [seeded_world.issuer_did],
            "REGISTRY_DIR": seeded_world.settings.registry_dir,
        },
    )
    with serving(app) as base:
        page = browser.new_page()
        _login(page, base)
        page.click("text=Income at least 30000")
        page.select_option("#connection_id", seeded_world.verifier_conn)
        page.click("text=Send to the connection")
        pres_ex_id = page.url.rsplit("/", 1)[1]
        thread_id = seeded_world.verifier.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")[
            "thread_id"
        ]
        present.present(seeded_world.holder, present.wait_request(seeded_world.holder, thread_id))
        playwright.expect(page.locator("#verdict")).to_have_text("Verified", timeout=30_000)
        playwright.expect(page.locator("#revealed")).to_contain_text("Acme Robotics SA")
        playwright.expect(page.locator("#not-received")).to_contain_text("Annual income")
        page.close()
    close_app(app)
