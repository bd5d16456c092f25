"""End to end through both apps: terms countered and agreed, consent, receipts, earnings,
settlement and erasure, with the real holder behind the wallet app and the verifier console."""

import json
import re

import pytest
from console.conftest import make_console
from console.test_terms_form import GOOD as TERMS

from wallet.flows import present
from wallet.flows import terms as client
from wallet.holder.service import HolderService
from wallet.receipts.cli import check_file
from wallet.settings import Settings
from wallet.web import create_app

from .conftest import Person
from .fake_inbox import FakeInbox

pytestmark = pytest.mark.e2e


class SharedRunner:
    """Hands the wallet service the session's running holder instead of starting one."""

    def __init__(self, admin):
        """Serve `admin`."""
        self.admin = admin

    def start(self, passphrase, webhook_url):
        """Return the running holder's admin client."""
        return self.admin

    def stop(self):
        """Leave the shared holder running."""


@pytest.fixture
def wallet(seeded_world, tmp_path):
    """The wallet app over the seeded holder; its webhooks forwarded to the app's hub."""
    settings = Settings(home=tmp_path / "wallet", port_offset=0, loopback_egress=True)
    service = HolderService.for_settings(
        settings,
        runner=SharedRunner(seeded_world.holder.admin),
        inbox_client=FakeInbox(),
        revocation_interval=None,
        scrypt_n=2**10,
    )
    app = create_app({"SETTINGS": settings, "HOLDER_SERVICE": service, "SECRET_KEY": "t"})
    person = Person(app.test_client())
    assert person.set_up().status_code == 302

    def forward(event):
        hub = service.session.hub
        if event.role == "holder" and hub is not None:
            hub.publish(event.role, event.topic, event.payload)

    seeded_world.holder.hub.add_listener(forward)
    yield person
    seeded_world.holder.hub.remove_listener(forward)
    service.lock()


def _row(html, receipt_id):
    found = re.search(rf'<tr[^>]*data-receipt="{receipt_id}".*?</tr>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def console(seeded_world, tmp_path):
    """The verifier console over the seeded verifier, trusting the seeded issuer."""
    world = seeded_world
    return make_console(
        "verifier",
        world.verifier,
        tmp_path / "console",
        TRUSTED_ISSUERS=[world.issuer_did],
        REGISTRY_DIR=world.settings.registry_dir,
    )


def test_countered_terms_to_paid_and_erased(seeded_world, wallet, console, tmp_path):
    world = seeded_world
    # A fresh wallet answers no offer by itself; the person sets prices (one value, one
    # fact: 0.60 EUR, floor 0.48) and turns automatic counters on, accepting nothing.
    prices = {
        "currency": "EUR",
        "attribute": "0.50",
        "predicate": "0.10",
        "floor_ratio": "0.8",
        "auto_counter": "on",
    }
    assert wallet.post("/prices/", prices).status_code == 302
    # The firm asks "age at least 18" and offers 0.10 EUR: the wallet counters by itself.
    form = {**TERMS, "mode": "connection", "connection_id": world.verifier_conn}
    sent = console.post("/verifier/requests/age_18", {**form, "threshold_0": "18"})
    assert sent.status_code == 302, sent.text
    pres_ex_id = sent.headers["Location"].rsplit("/", 1)[1]
    thread = world.verifier.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")["thread_id"]
    (offer,) = [
        m
        for m in client.messages(world.verifier, kind="offer", direction="sent")
        if m["body"]["request_thread_id"] == thread
    ]
    client.wait_message(
        world.verifier,
        kind="response",
        thread_id=offer["thread_id"],
        match=lambda m: m["body"]["decision"] == "counter",
    )
    page = console.get(f"/verifier/results/{pres_ex_id}").text
    assert 'id="counter"' in page and "0.60 EUR" in page
    assert console.post(f"/verifier/terms/accept-counter/{pres_ex_id}").status_code == 302
    client.wait_message(
        world.holder,
        kind="offer",
        thread_id=offer["thread_id"],
        match=lambda m: m["body"]["revision"] == 1,
    )

    # The firm now pays the person's price, yet no rule of theirs names these terms:
    # the consent screen waits for their click, which agrees them.
    record = present.wait_request(world.holder, thread)
    path = f"/requests/{record['pres_ex_id']}"
    screen = wallet.client.get(path).text
    assert 'data-status="offered"' in screen and 'id="terms-answered"' not in screen
    accepted = wallet.post(f"{path}/terms", {"decision": "accept"}, form_page=path)
    assert accepted.status_code == 302
    client.wait_message(
        world.verifier,
        kind="response",
        thread_id=offer["thread_id"],
        match=lambda m: m["body"]["decision"] == "accept" and m["body"]["revision"] == 1,
    )
    screen = wallet.client.get(path).text
    assert 'data-status="agreed"' in screen and "Wine shop" in screen and "0.60 EUR" in screen
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', screen).group(1)
    assert wallet.post(f"{path}/approve", {"digest": digest}, form_page=path).status_code == 302
    assert present.wait_verified(world.verifier, pres_ex_id).verified

    # The firm countersigns as the receipt arrives (a listener, not a page); both hold a
    # receipt that verifies.
    incoming = client.wait_message(
        world.verifier,
        kind="receipt",
        match=lambda m: m["body"]["receipt"]["proof_thread_id"] == thread,
    )
    receipt_id = incoming["receipt_id"]
    console.get(f"/verifier/results/{pres_ex_id}")
    client.wait_message(world.holder, kind="countersigned", receipt_id=receipt_id)
    download = wallet.client.get(f"/receipts/{receipt_id}.json")
    assert download.status_code == 200
    saved = tmp_path / "receipt.json"
    saved.write_bytes(download.data)
    assert check_file(saved) == [("holder", None), ("firm", None)]
    assert json.loads(download.data)["price"] == {"amount": "0.60", "currency": "EUR"}
    assert f"/receipts/{receipt_id}" in wallet.client.get("/history/").text

    # Earnings: owed, then paid once the firm settles.
    assert "owed" in _row(wallet.client.get("/earnings/").text, receipt_id)
    owed = console.get("/verifier/terms/owed").text
    assert "0.60 EUR" in _row(owed, receipt_id)
    assert console.post(f"/verifier/terms/owed/{receipt_id}/settle").status_code == 302
    client.wait_message(world.holder, kind="settlement", receipt_id=receipt_id)
    assert "paid" in _row(wallet.client.get("/earnings/").text, receipt_id)
    assert ",0.60,EUR,paid," in wallet.client.get("/earnings/export.csv").text

    # Erasure: the person asks (and confirms), the firm acknowledges, the wallet shows it.
    confirm = f"/receipts/{receipt_id}/erase"
    erase = wallet.post(confirm, {"confirm": "yes"}, form_page=confirm)
    assert erase.status_code == 302
    client.wait_message(world.verifier, kind="erasure-request", receipt_id=receipt_id)
    inbox = _row(console.get("/verifier/terms/erasure").text, receipt_id)
    record_id = re.search(r"/verifier/terms/erasure/([^/]+)/acknowledge", inbox).group(1)
    assert console.post(f"/verifier/terms/erasure/{record_id}/acknowledge").status_code == 302
    client.wait_message(world.holder, kind="erasure-ack", receipt_id=receipt_id)
    assert "acknowledged" in _row(wallet.client.get("/receipts/").text, receipt_id)


def test_a_smaller_answer_keeps_the_terms_and_the_name(seeded_world, wallet, console):
    """#19.3: the firm accepts the person's smaller answer; the terms the person agreed
    for the request it replaced go with it, so the answer has a receipt and a price, and
    both sides call it by the request's name, not ACA-Py's "proof-request"."""
    world = seeded_world
    form = {**TERMS, "mode": "connection", "connection_id": world.verifier_conn}
    sent = console.post("/verifier/requests/loan_income_raw", form)
    assert sent.status_code == 302, sent.text
    pres_ex_id = sent.headers["Location"].rsplit("/", 1)[1]
    thread = world.verifier.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")["thread_id"]
    client.wait_message(
        world.holder, kind="offer", match=lambda m: m["body"]["request_thread_id"] == thread
    )
    path = f"/requests/{present.wait_request(world.holder, thread)['pres_ex_id']}"
    assert wallet.post(f"{path}/terms", {"decision": "accept"}, form_page=path).status_code == 302
    assert 'data-status="agreed"' in wallet.client.get(path).text

    before = {r.pres_ex_id for r in present.records(world.verifier, state="proposal-received")}
    smaller = {
        "keep-employer": "keep",
        "keep-annual_income": "prove",
        "threshold-annual_income": "30000",
    }
    assert wallet.post(f"{path}/counter", smaller, form_page=path).status_code == 302
    present.wait_abandoned(world.verifier, pres_ex_id)
    proposal = world.verifier.wait(
        lambda: [
            r
            for r in present.records(world.verifier, state="proposal-received")
            if r.pres_ex_id not in before
        ],
        bool,
        what="the person's proposal",
        topics=present.TOPICS,
    )[0]
    accepted = console.post(f"/verifier/proposals/{proposal.pres_ex_id}/accept")
    assert accepted.status_code == 302

    # The wallet keeps the person's agreement (same terms, smaller answer) and its own
    # rule answers the smaller request; the firm verifies and receives a priced receipt.
    result = present.wait_verified(world.verifier, proposal.pres_ex_id)
    assert result.verified and set(result.revealed) == {"employer"}
    incoming = client.wait_message(
        world.verifier,
        kind="receipt",
        match=lambda m: m["body"]["receipt"]["proof_thread_id"] == proposal.thread_id,
    )
    assert incoming["body"]["receipt"]["price"] == {"amount": "0.10", "currency": "EUR"}
    name = "Loan pre-check (reveals income) (smaller answer)"
    page = console.get(f"/verifier/results/{proposal.pres_ex_id}").text
    assert name in page and "proof-request" not in page
    [kept] = [
        m
        for m in client.messages(world.verifier, kind="response", direction="received")
        if "your smaller answer keeps them" in m["body"]["reason"]
    ]
    assert kept["body"]["decision"] == "accept"
    history = wallet.client.get("/history/").text
    assert name in history and "/receipts/" in history
