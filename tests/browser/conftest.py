"""Browser fixtures: real issuer and verifier agents, the wallet app on a loopback server,
and Chromium driven by Playwright. The wallet app starts the holder agent itself on unlock."""

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSPHRASE = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class Firms:
    """The issuer and verifier agents with what the issuer published."""

    world: object
    settings: object


@pytest.fixture(scope="module")
def firms(tmp_path_factory):
    """Start issuer and verifier (not the holder), each in its own home, and seed the issuer.

    `settings` are the person's: their home, their agent on did:webvh like the firms'.
    """
    from conftest import free_port_offset

    from wallet import scenario
    from wallet.agent.webhooks import WebhookHub
    from wallet.schemas import load_all
    from wallet.webvh.world import agents, party_settings, running_parties

    home, offset = tmp_path_factory.mktemp("browser"), free_port_offset()
    hub = WebhookHub().start()
    try:
        with running_parties(home, offset, ("issuer", "verifier"), hub) as (parties, network):
            by_role = agents(parties, hub)
            world = scenario.World(by_role["issuer"], None, by_role["verifier"], load_all())
            scenario.seed_issuer(world)
            yield Firms(world, party_settings(home, offset, network)["holder"])
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def wallet_server(firms):
    """Serve the wallet app on 127.0.0.1 (port 0); yield (base URL, app)."""
    from werkzeug.serving import make_server

    from wallet.web import create_app

    app = create_app({"SETTINGS": firms.settings, "SECRET_KEY": "browser-test-only"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        app.extensions["holder_service"].close()


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (the system one)."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed; browser tests need the system Chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def page(browser, wallet_server):
    """One browser page (one session) for the module."""
    context = browser.new_context(base_url=wallet_server[0])
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()
