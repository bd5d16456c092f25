"""Console fixtures: apps over real or fake agents, and a logged-in client helper."""

import datetime
import re

import pytest

from wallet.console import create_app

TOKEN = "test-console-password"
TODAY = datetime.date(2026, 11, 29)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Console:
    """A test client logged in to a console, posting forms with their CSRF token."""

    def __init__(self, client):
        """Wrap a Flask test client."""
        self.client = client
        self.csrf = ""

    def login(self, password=TOKEN):
        """Log in with the console password; return the response."""
        self.csrf = _CSRF.search(self.client.get("/login").text).group(1)
        response = self.client.post("/login", data={"password": password, "csrf_token": self.csrf})
        found = _CSRF.search(self.client.get("/connections").text)
        self.csrf = found.group(1) if found else self.csrf
        return response

    def get(self, url):
        """GET a page."""
        return self.client.get(url)

    def post(self, url, data=None):
        """POST a form with the session's CSRF token."""
        fields = {"csrf_token": self.csrf}
        fields.update(data or {})
        return self.client.post(url, data=fields)


def make_console(role, agent, tmp_path, **config):
    """Return a logged-in `Console` over a fresh app for `role`."""
    base = {"DATA_DIR": tmp_path / role, "CONSOLE_TOKEN": TOKEN, "CLOCK": lambda: TODAY}
    base.update(config)
    app = create_app(role, agent, base)
    console = Console(app.test_client())
    console.app = app
    assert console.login().status_code == 302
    return console


@pytest.fixture
def verifier_console(seeded_world, tmp_path):
    """The verifier console over the shared world's verifier, trusting the seeded issuer."""
    return make_console(
        "verifier",
        seeded_world.verifier,
        tmp_path,
        TRUSTED_ISSUERS=[seeded_world.issuer_did],
        REGISTRY_DIR=seeded_world.settings.registry_dir,
    )
