"""End to end: the wallet app locks, an offer waits in the real inbox, unlock shows it once."""

import contextlib
import time

import pytest
from conftest import free_port_offset

from wallet import scenario
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.handle import Agent
from wallet.agent.webhooks import WebhookHub
from wallet.flows import connect, issue
from wallet.inbox.holder import holder_person_id
from wallet.inbox.process import InboxProcess
from wallet.schemas import load_all
from wallet.settings import Settings
from wallet.web import create_app
from wallet.web.service import HolderService

from .conftest import PASSPHRASE, Person

pytestmark = pytest.mark.e2e


def wait_until(check, what, timeout=30.0):
    """Poll `check()` until truthy (deadline, not a fixed sleep); return its value."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


@contextlib.contextmanager
def wallet_world(home):
    """A real inbox process, a real issuer agent, and the wallet app owning the holder agent."""
    settings = Settings(home=home, port_offset=free_port_offset(), loopback_egress=True)
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    inbox = InboxProcess(settings)
    service = HolderService(settings, scrypt_n=2**10, revocation_interval=None)
    try:
        inbox.start()
        with running_agents(deployment, ("issuer",), hub=hub):
            issuer = Agent("issuer", deployment.admin("issuer"), hub)
            config = {"SETTINGS": settings, "SECRET_KEY": "test-only", "HOLDER_SERVICE": service}
            yield settings, issuer, inbox, service, Person(create_app(config).test_client())
            service.lock()  # before the issuer stops
    finally:
        service.close()
        inbox.close()
        hub.stop()
        deployment.close()


def test_offer_sent_while_locked_waits_in_the_inbox_and_shows_once(tmp_path):
    with wallet_world(tmp_path / "world") as (settings, issuer, inbox, service, person):
        name = scenario.IDENTITY
        schema = load_all()[name]
        issuer_did = issue.issuer_id(issuer)
        cred_def_id = issue.create_cred_def(
            issuer, issuer_did, issue.publish_schema(issuer, issuer_did, schema)
        )
        assert person.set_up().status_code == 302
        issuer_conn, _ = connect.connect(issuer, service.agent)

        assert person.post("/lock", form_page="/requests/").status_code == 302
        assert not service.unlocked
        values = scenario.load_person()[name]
        issue.offer_credential(issuer, issuer_conn, cred_def_id, schema, values)
        person_id = holder_person_id(settings)
        wait_until(lambda: inbox.client.pending_count(person_id) == 1, "the offer in the inbox")
        page = person.client.get("/unlock").get_data(as_text=True)
        assert "1 message from a firm is waiting; unlock to read it." in page

        assert person.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
        assert inbox.client.pending_count(person_id) == 0
        offers = wait_until(lambda: issue.offers(service.agent), "the offer at the holder")
        assert len(offers) == 1
        cred_ex_id = offers[0]["cred_ex_record"]["cred_ex_id"]
        page = person.client.get("/offers/").get_data(as_text=True)
        assert page.count('<li><a href="/offers/') == 1 and f"/offers/{cred_ex_id}" in page
