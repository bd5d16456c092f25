"""Leaving the host and coming back, end to end: nobody is held captive.

A hosted person downloads their wallet from the Backups page; a single-person wallet (the
one `make demo` runs) restores it on first run and opens it with the same passphrase:
credentials, connections, history and rules are all there, and it proves a fact to a
firm. Its own backup then signs a new hosted account up (`/signup/restore`), which holds
the same credentials. Bad imports are refused with the reason and create no account.
Left idle, the hosted wallet then locks itself: agent stopped, lease given back.
"""

import datetime
import io
import time
from pathlib import Path

import pytest
from conftest import free_port_offset

from wallet import scenario
from wallet.flows import held
from wallet.holder.rules import RulesFile
from wallet.holder.service import HolderService
from wallet.host.run import running
from wallet.settings import Settings
from wallet.web import create_app

from .conftest import host_ports, new_host_db
from .hosting import TOKEN, Browser, host_config, person_of, person_world

pytestmark = pytest.mark.e2e

PASSPHRASE = "Cobalt harbour 4410 at noon"
BACKUP_PASSPHRASE = "the backup's own phrase 77"
RULES = {"family_name": "never", "employer": "ask"}
FAST = {"scrypt_n": 2**10}


class HomeWallet:
    """A single-person wallet (as `make demo` serves it) driven through its web pages."""

    def __init__(self, settings):
        """Build the wallet of `settings` (cheap key derivation, no timers)."""
        self.service = HolderService.for_settings(
            settings,
            scrypt_n=2**10,
            revocation_interval=None,
            timer_interval=None,
            backup_options=FAST,
        )
        app = create_app(
            {"SETTINGS": settings, "SECRET_KEY": "test-only", "HOLDER_SERVICE": self.service}
        )
        self.client = app.test_client()

    def post(self, path, data, form_page, **kwargs):
        """Post a form with the CSRF token of `form_page`."""
        page = self.client.get(form_page).get_data(as_text=True)
        return self.client.post(
            path, data={**data, "csrf_token": TOKEN.search(page).group(1)}, **kwargs
        )


def _download(post, wallet_passphrase):
    answer = post(
        "/backup/download",
        {
            "wallet_passphrase": wallet_passphrase,
            "backup_passphrase": BACKUP_PASSPHRASE,
            "confirm": BACKUP_PASSPHRASE,
        },
        "/backup/",
    )
    if hasattr(answer, "content"):  # httpx, from the host
        assert answer.status_code == 200, answer.text
        return answer.content
    try:  # Flask's test client, from the wallet at home
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_data()
    finally:
        answer.close()


def _wait(predicate, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _sign_up_from(browser, name, backup, backup_passphrase=BACKUP_PASSPHRASE):
    files = {"backup": ("wallet.tessera", backup, "application/octet-stream")}
    data = {
        "name": name,
        "passphrase": PASSPHRASE,
        "backup_passphrase": backup_passphrase,
        "csrf_token": browser.token("/signup"),
    }
    return browser.http.post("/signup/restore", data=data, files=files)


def test_a_hosted_wallet_goes_home_and_comes_back(pg_cluster, firms, tmp_path):
    url, agent_password, _ = new_host_db(pg_cluster)
    config = host_config(tmp_path / "host", url, agent_password, firms, host_ports())
    (tmp_path / "host").mkdir()
    skew = [0.0]  # seconds added to the instance's monotonic clock (idleness)
    with running(config, 0, clock=lambda: time.monotonic() + skew[0]) as (instance, base):
        browser = Browser(base)
        assert browser.sign_up("leaving.1", PASSPHRASE).status_code == 302
        person = person_of(instance, browser)
        world = person_world(firms, person.service.agent)
        values = scenario.load_person()
        cred_ids = scenario.issue_person(world, values)
        person.service.history.append("sent", "Acme Bank", revealed=["nationality"])
        token = browser.api_token()
        api = {"Authorization": f"Bearer {token}"}
        rules = browser.get("/api/v1/rules", headers=api).json()
        rules["attributes"] = RULES
        assert browser.http.put("/api/v1/rules", json=rules, headers=api).status_code == 200
        saved_rules = browser.get("/api/v1/rules", headers=api).json()
        assert saved_rules["attributes"] == RULES
        wrong = browser.post(
            "/backup/download",
            {
                "wallet_passphrase": "not my phrase at all",
                "backup_passphrase": BACKUP_PASSPHRASE,
                "confirm": BACKUP_PASSPHRASE,
            },
            form_page="/backup/",
        )
        assert wrong.status_code == 400 and "passphrase" in wrong.text
        backup = _download(lambda p, d, f: browser.post(p, d, form_page=f), PASSPHRASE)
        assert browser.log_out().status_code == 302

        # At home: the single-person wallet's first-run restore, then unlock.
        settings = Settings(
            home=tmp_path / "home", port_offset=free_port_offset(), loopback_egress=True
        )
        settings.home.mkdir()  # firms' registry objects, as the host reads them
        (settings.home / "registry").symlink_to(firms.settings.registry_dir)
        home = HomeWallet(settings)
        try:
            restored = home.post(
                "/setup/restore",
                {
                    "backup_passphrase": BACKUP_PASSPHRASE,
                    "backup": (io.BytesIO(backup), "w.tessera"),
                },
                "/setup",
                content_type="multipart/form-data",
            )
            assert restored.headers["Location"].endswith("/unlock"), restored.get_data(True)
            assert home.post("/unlock", {"passphrase": PASSPHRASE}, "/unlock").status_code == 302
            service = home.service
            page = home.client.get("/credentials/").get_data(as_text=True)
            assert all(f"/credentials/{c}" in page for c in cred_ids.values())
            assert [(e.to, e.revealed) for e in service.history.entries()] == [
                ("Acme Bank", ["nationality"])
            ]
            assert RulesFile(service.data_dir).load().to_json() == saved_rules
            connections = service.agent.admin.get("/connections")["results"]
            assert len(connections) == 2 and {c["state"] for c in connections} == {"active"}
            # It works at home: a new connection to the verifier, and a proof.
            at_home = person_world(firms, service.agent)
            request = scenario.age_income_request(world.cred_defs, datetime.date.today())
            assert scenario.prove(at_home, request).verified

            # Coming back: the home wallet's backup signs a new hosted account up.
            home_backup = _download(lambda p, d, f: home.post(p, d, f), PASSPHRASE)
            service.lock()
        finally:
            home.service.close()
        before = instance.db.one("SELECT count(*) FROM accounts")[0]
        for bad, why in (
            (b"not a backup at all", "not"),
            (home_backup[:-100], ""),
        ):
            answer = _sign_up_from(Browser(base), "came.back", bad)
            assert answer.status_code == 400, answer.text
            assert why in answer.text
        wrong = _sign_up_from(Browser(base), "came.back", home_backup, "a wrong backup phrase")
        assert wrong.status_code == 400 and "passphrase" in wrong.text
        assert instance.db.one("SELECT count(*) FROM accounts")[0] == before

        back = Browser(base)
        answer = _sign_up_from(back, "came.back", home_backup)
        assert answer.status_code == 302, answer.text
        again = person_of(instance, back)
        assert sorted(c["referent"] for c in held.credentials(again.service.agent)) == sorted(
            cred_ids.values()
        )
        # The old token still routes to the old account: it stays there, and the page says so.
        assert "were not brought in" in back.http.get("/", follow_redirects=True).text
        assert back.get("/api/v1/credentials", headers=api).status_code == 423
        new_api = {"Authorization": f"Bearer {back.api_token()}"}
        theirs = back.get("/api/v1/credentials", headers=new_api)
        assert theirs.status_code == 200 and len(theirs.json()["results"]) == len(cred_ids)
        first = again.service.history.entries()[0]
        assert (first.to, first.revealed) == ("Acme Bank", ["nationality"])

        # Left idle, the wallet locks itself: agent stopped, lease given back, logged out.
        agent = Path(f"/proc/{again.runner.pid}")
        skew[0] += config.idle_timeout + 1
        instance.sweep()
        assert instance.person(again.account.id) is None
        _wait(lambda: instance.leases.holder(again.account.id) is None, "the lease to end")
        _wait(lambda: not agent.exists(), "the agent to stop")
        assert back.get("/credentials/").headers["location"] == "/login"
