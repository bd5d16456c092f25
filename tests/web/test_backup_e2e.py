"""End to end: back up a real wallet from its Backups page, wipe it, restore it on first run."""

import io
import shutil

import pytest
from conftest import free_port_offset

from wallet import scenario
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.handle import Agent
from wallet.agent.webhooks import WebhookHub
from wallet.flows import connect, issue
from wallet.schemas import load_all
from wallet.settings import Settings
from wallet.web import create_app
from wallet.web.service import HolderService

from .backup_helpers import BACKUP_PASSPHRASE, FAST
from .conftest import PASSPHRASE, Person

pytestmark = pytest.mark.e2e


def _wallet(settings):
    service = HolderService(
        settings,
        scrypt_n=2**10,
        revocation_interval=None,
        timer_interval=None,
        backup_options=FAST,
    )
    config = {"SETTINGS": settings, "SECRET_KEY": "test-only", "HOLDER_SERVICE": service}
    return service, Person(create_app(config).test_client())


def test_backup_from_the_page_then_first_run_restore_brings_the_credential_back(tmp_path):
    settings = Settings(
        home=tmp_path / "world", port_offset=free_port_offset(), loopback_egress=True
    )
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    services = []
    try:
        with running_agents(deployment, ("issuer",), hub=hub):
            issuer = Agent("issuer", deployment.admin("issuer"), hub)
            schema = load_all()[scenario.IDENTITY]
            issuer_did = issue.issuer_id(issuer)
            cred_def_id = issue.create_cred_def(
                issuer, issuer_did, issue.publish_schema(issuer, issuer_did, schema)
            )
            service, person = _wallet(settings)
            services.append(service)
            assert person.set_up().status_code == 302
            issuer_conn, _ = connect.connect(issuer, service.agent)
            values = scenario.load_person()[scenario.IDENTITY]
            cred_id = issue.issue(issuer, service.agent, issuer_conn, cred_def_id, schema, values)
            service.history.append("sent", "Acme Bank", revealed=["nationality"])

            response = person.post(
                "/backup/download",
                {
                    "wallet_passphrase": PASSPHRASE,
                    "backup_passphrase": BACKUP_PASSPHRASE,
                    "confirm": BACKUP_PASSPHRASE,
                },
                form_page="/backup/",
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            backup = response.get_data()
            response.close()
            service.close()
            shutil.rmtree(settings.role_dir("holder"))

            service, person = _wallet(settings)
            services.append(service)
            assert person.client.get("/credentials/").headers["Location"].endswith("/setup")
            response = person.post(
                "/setup/restore",
                {
                    "backup_passphrase": BACKUP_PASSPHRASE,
                    "backup": (io.BytesIO(backup), "w.tessera"),
                },
                form_page="/setup",
                content_type="multipart/form-data",
            )
            assert response.headers["Location"].endswith("/unlock"), response.get_data(True)
            assert person.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
            page = person.client.get("/credentials/").get_data(as_text=True)
            assert f"/credentials/{cred_id}" in page
            assert [(e.to, e.revealed) for e in service.history.entries()] == [
                ("Acme Bank", ["nationality"])
            ]
            connections = service.agent.admin.get("/connections")["results"]
            assert [c["state"] for c in connections] == ["active"]
            service.lock()  # before the issuer stops
    finally:
        for service in services:
            service.close()
        hub.stop()
        deployment.close()
