"""The verifier's result page waits on the agent's webhooks; receipts are countersigned as
they arrive, by a listener, never by a page view."""

import shutil
import threading
import uuid

import pytest

from wallet.agent.handle import Agent
from wallet.agent.webhooks import WebhookHub
from wallet.console import countersign

from .conftest import make_console
from .fakes import FakeAdmin
from .test_verifier_proposals import PROPOSED

PRES_EX = str(uuid.uuid4())


class ResultAdmin(FakeAdmin):
    """One verifier exchange (changed by the test) and the terms messages it is given."""

    def __init__(self):
        """Start waiting for the person's answer, with no terms messages."""
        super().__init__()
        self.record = {
            "pres_ex_id": PRES_EX,
            "state": "request-sent",
            "role": "verifier",
            "by_format": {"pres_request": {"anoncreds": PROPOSED}},
        }
        self.messages = []

    def get(self, path, **params):
        """Answer the record and the terms messages; the rest as the base fake."""
        if path == f"/present-proof-2.0/records/{PRES_EX}":
            return dict(self.record)
        if path == "/tessera-terms/messages":
            wanted = [m for m in self.messages if all(m.get(k) == v for k, v in params.items())]
            return {"results": wanted}
        return super().get(path, **params)


def _console(tmp_path, hub=None):
    admin = ResultAdmin()
    console = make_console("verifier", Agent("verifier", admin, hub), tmp_path)
    return console, admin


def test_the_result_page_has_no_timed_refresh_and_waits_by_script(tmp_path):
    console, _ = _console(tmp_path)
    page = console.get(f"/verifier/results/{PRES_EX}").text
    assert 'http-equiv="refresh"' not in page and "result.js" in page
    assert f'data-wait-url="/verifier/results/{PRES_EX}/wait"' in page


def test_the_wait_answers_when_a_webhook_changes_what_the_page_shows(tmp_path):
    hub = WebhookHub()
    console, admin = _console(tmp_path, hub)
    shown = "request-sent|None|None"

    def verified():
        admin.record.update(state="done", verified="true")
        hub.publish("verifier", "present_proof_v2_0", {"pres_ex_id": PRES_EX, "state": "done"})

    timer = threading.Timer(0.2, verified)
    timer.start()
    answer = console.get(f"/verifier/results/{PRES_EX}/wait?shown={shown}").get_json()
    timer.join()
    assert answer == {"changed": True}


@pytest.mark.parametrize(
    ("shown", "answer"),
    [
        ("request-sent|None|None", {"changed": False, "retry_ms": 2000}),
        ("what the page showed before", {"changed": True}),
    ],
)
def test_without_a_hub_the_wait_answers_at_once(tmp_path, shown, answer):
    console, _ = _console(tmp_path)
    assert console.get(f"/verifier/results/{PRES_EX}/wait?shown={shown}").get_json() == answer


def _receipt(ring, connection_id, receipt_id, firm_key=None):
    key = firm_key or ring.for_connection(connection_id).did
    return {
        "kind": "receipt",
        "direction": "received",
        "status": "accepted",
        "connection_id": connection_id,
        "receipt_id": receipt_id,
        "body": {"receipt": {"receipt_id": receipt_id, "firm": {"did": "d", "key": key}}},
    }


def test_a_receipt_arriving_is_countersigned_by_the_listener_not_by_a_page(tmp_path, monkeypatch):
    signed = []
    monkeypatch.setattr(
        countersign, "countersign_received", lambda firm, ring, m: signed.append(m["receipt_id"])
    )
    hub = WebhookHub()
    console, admin = _console(tmp_path, hub)
    signer = console.app.extensions["tessera"]["countersigner"]
    signer.drain()
    ring = console.app.extensions["tessera"]["receipt_keys"]
    console.get(f"/verifier/results/{PRES_EX}")
    console.get("/verifier/terms/owed")
    admin.messages = [
        _receipt(ring, "conn-1", "r-ours"),
        _receipt(ring, "conn-1", "r-other-console", firm_key="did:key:z6MkSomebodyElse"),
    ]
    assert signed == [], "page views countersign nothing"
    hub.publish("verifier", "tessera_terms", {"kind": "receipt", "direction": "received"})
    signer.drain()
    signer.stop()
    assert signed == ["r-ours"]


def test_the_result_page_updates_in_place_without_reloading(tmp_path):
    """In Chromium: the answer arriving replaces the result section and is announced; a
    marker set on `window` survives, so the page was not reloaded (#22.8)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from browser.conftest import CHROMIUM, CHROMIUM_ARGS

    from .conftest import TOKEN
    from .test_browser import serving

    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    hub = WebhookHub()
    console, admin = _console(tmp_path, hub)
    with serving(console.app) as base, sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chromium.new_page()
        page.goto(base + "/login")
        page.fill("#password", TOKEN)
        page.click("button[type=submit]")
        page.goto(f"{base}/verifier/results/{PRES_EX}")
        sync_api.expect(page.locator("#result-news")).to_have_attribute("aria-live", "polite")
        page.evaluate("window.notReloaded = true")
        admin.record.update(state="abandoned", error_msg="The person declined.")
        hub.publish("verifier", "present_proof_v2_0", {"pres_ex_id": PRES_EX, "state": "abandoned"})
        sync_api.expect(page.locator("#result")).to_have_attribute("data-finished", "yes")
        sync_api.expect(page.locator("#result-news")).to_contain_text("Updated")
        assert page.evaluate("window.notReloaded") is True
        chromium.close()
