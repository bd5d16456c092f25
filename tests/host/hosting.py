"""Helpers for the hosted tests: a browser over HTTP, firms on loopback, a person's world."""

import contextlib
import re

import httpx

from wallet import scenario
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.handle import Agent
from wallet.agent.webhooks import WebhookHub
from wallet.host.config import HostConfig
from wallet.schemas import load_all
from wallet.settings import Settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A person's browser: one cookie jar, forms posted with their CSRF token."""

    def __init__(self, base_url):
        """Talk to the hosted Tessera at `base_url`."""
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=300)

    def get(self, path, **kwargs):
        """GET `path`."""
        return self.http.get(path, **kwargs)

    def token(self, path):
        """Return the CSRF token of the form on `path`."""
        page = self.http.get(path)
        found = TOKEN.search(page.text)
        assert found, f"no form on {path}: {page.status_code} {page.text[:300]}"
        return found.group(1)

    def post(self, path, data=None, form_page=None, **kwargs):
        """Post a form with the CSRF token of `form_page` (default: the same path)."""
        data = {**(data or {}), "csrf_token": self.token(form_page or path)}
        return self.http.post(path, data=data, **kwargs)

    def sign_up(self, name, passphrase):
        """Sign up; return the answer."""
        data = {"name": name, "passphrase": passphrase, "confirm": passphrase}
        return self.post("/signup", data)

    def log_in(self, name, passphrase):
        """Log in; return the answer."""
        return self.post("/login", {"name": name, "passphrase": passphrase})

    def log_out(self):
        """Log out with the wallet's own Lock button."""
        return self.post("/lock", form_page="/settings/")

    def api_token(self):
        """Create an API token on Settings; return it."""
        page = self.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
        return re.search(r'id="new-token">([^<]+)<', page.text).group(1)

    def close(self):
        """Close the connections."""
        self.http.close()


@contextlib.contextmanager
def running_firms(home, port_offset):
    """Run a seeded issuer and a verifier on loopback; yield a `World` without a holder."""
    settings = Settings(home=home, port_offset=port_offset, loopback_egress=True)
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    try:
        with running_agents(deployment, ("issuer", "verifier"), hub=hub):
            world = scenario.World(
                Agent("issuer", deployment.admin("issuer"), hub),
                None,
                Agent("verifier", deployment.admin("verifier"), hub),
                load_all(),
            )
            scenario.seed_issuer(world)
            world.settings = settings
            yield world
    finally:
        hub.stop()
        deployment.close()


def person_world(firms, holder):
    """Return a `World` joining the firms and one hosted person's agent, connected to both."""
    world = scenario.World(
        firms.issuer,
        holder,
        firms.verifier,
        firms.schemas,
        firms.issuer_did,
        dict(firms.schema_ids),
        dict(firms.cred_defs),
    )
    scenario.connect_holder(world)
    return world


def host_config(home, db_url, agent_password, firms, agent_ports, **extra):
    """Return a test host's configuration (cheap key derivation, loopback egress)."""
    options = {
        "inbox_port": 0,
        "agent_ports": agent_ports,
        "loopback_egress": True,
        "scrypt_n": 2**10,
        "max_people": 3,
        "registry": firms.settings.registry_dir,
        "tick": 1.0,
        **extra,
    }
    return HostConfig(home=home, database_url=db_url, agent_db_password=agent_password, **options)


def person_of(instance, browser):
    """Return the `Person` whose session `browser` holds on `instance`."""
    cookie = browser.http.cookies.get("session")
    return instance.person(instance.dispatcher.account({"HTTP_COOKIE": f"session={cookie}"}))
