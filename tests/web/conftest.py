"""App, client and a login helper over a fake holder agent (faked at the HTTP boundary)."""

import datetime
import re

import pytest

from wallet.holder.backoff import Backoff
from wallet.holder.service import HolderService
from wallet.settings import Settings
from wallet.web import create_app

from .fake_agent import FakeAcaPy, FakeRunner

PASSPHRASE = "a long enough passphrase"
TODAY = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self):
        """Return the time."""
        return self.now


@pytest.fixture
def fake():
    """The fake agent's state."""
    return FakeAcaPy()


@pytest.fixture
def clock():
    """The service's monotonic clock."""
    return Clock()


@pytest.fixture
def service(tmp_path, fake, clock):
    """A `HolderService` over the fake agent (cheap scrypt for speed)."""
    settings = Settings(home=tmp_path, port_offset=0, loopback_egress=True)
    holder = HolderService.for_settings(
        settings,
        runner=FakeRunner(fake),
        clock=clock,
        wall_clock=lambda: TODAY,
        idle_timeout=600,
        backoff=Backoff(clock=clock),
        scrypt_n=2**10,
    )
    yield holder
    holder.lock()


@pytest.fixture
def app(tmp_path, service):
    """The wallet app with the fake service."""
    return create_app(
        {
            "TESSERA_HOME": tmp_path,
            "SECRET_KEY": "test-only",
            "HOLDER_SERVICE": service,
            "WALL_CLOCK": lambda: TODAY,
            "IDLE_TIMEOUT": 600,
        }
    )


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


class Person:
    """Drives the wallet like a person: reads CSRF tokens from forms, posts them back."""

    def __init__(self, client):
        """Use `client`."""
        self.client = client

    def token(self, path):
        """Return the CSRF token of the form on `path`."""
        page = self.client.get(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        assert found, f"no form on {path}: {page.status_code}"
        return found.group(1)

    def post(self, path, data=None, form_page=None, **kwargs):
        """Post a form with the CSRF token of `form_page` (default: the same path)."""
        data = dict(data or {})
        data["csrf_token"] = self.token(form_page or path)
        return self.client.post(path, data=data, **kwargs)

    def set_up(self, passphrase=PASSPHRASE):
        """First run: choose the passphrase."""
        return self.post("/setup", {"passphrase": passphrase, "confirm": passphrase})


@pytest.fixture
def person(client):
    """A person at the wallet, not yet set up."""
    return Person(client)


@pytest.fixture
def unlocked(person):
    """A person whose wallet is set up and unlocked."""
    assert person.set_up().status_code == 302
    return person
