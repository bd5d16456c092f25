"""Hostile input against the consoles (issue #14): one row per input, each a clean refusal."""

import re

import pytest

from wallet.console import create_app
from wallet.console.common import safe_next

from .conftest import TODAY, TOKEN
from .fakes import fake_agent

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self):
        """Return the time."""
        return self.now


@pytest.fixture(params=["issuer", "verifier"])
def role(request):
    """Both consoles."""
    return request.param


@pytest.fixture
def clock():
    """The login backoff's clock."""
    return Clock()


@pytest.fixture
def app(role, tmp_path, clock):
    """A console over a fake agent, not logged in."""
    config = {
        "DATA_DIR": tmp_path / role,
        "CONSOLE_TOKEN": TOKEN,
        "CLOCK": lambda: TODAY,
        "MONOTONIC": clock,
        "COUNTERSIGN": False,
    }
    return create_app(role, fake_agent(role), config)


def browser(app, addr="127.0.0.1"):
    """A test client at `addr`, with the login form's CSRF token read."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    client.csrf = _CSRF.search(client.get("/login").text).group(1)
    return client


def log_in(client, password=TOKEN, next_=None):
    query = {"next": next_} if next_ is not None else {}
    return client.post(
        "/login", query_string=query, data={"password": password, "csrf_token": client.csrf}
    )


HOSTS = [
    "attacker.example.localhost",
    "attacker.example.localhost:80",
    "localhost@evil.localhost",
    "127.0.0.2",
]


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("path", ["/login", "/", "/connections", "/static/console.css"])
def test_unknown_host_names_get_400_not_500(app, host, path):
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400
    assert "host name" in response.get_data(as_text=True)


NEXTS = [
    ("/%09/evil.localhost/", None),
    ("/\t/evil.localhost/", None),
    ("/\n/evil.localhost/", None),
    ("//evil.localhost/", None),
    ("/\\evil.localhost/", None),
    ("/\\/evil.localhost/", None),
    ("https://evil.localhost/", None),
    ("javascript:alert(1)", None),
    ("", None),
    ("/ /evil.localhost", None),
    ("/\x7f/evil.localhost", None),
    ("/connections", "/connections"),
    ("/connections?x=1", "/connections?x=1"),
]


@pytest.mark.parametrize(("target", "kept"), NEXTS)
def test_safe_next_keeps_only_paths_on_this_site(target, kept):
    from urllib.parse import unquote

    assert safe_next(unquote(target)) == kept


@pytest.mark.parametrize(("target", "kept"), NEXTS)
def test_login_redirects_only_to_this_site(app, target, kept):
    from urllib.parse import unquote

    response = log_in(browser(app), next_=unquote(target))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert not re.match(r"^[\s/\\]*[/\\][\s/\\]*[/\\]|^[a-z]+:", location), location
    assert "evil" not in location
    if kept:
        assert location == kept


def test_wrong_passwords_are_slowed_down_per_client(app, clock):
    client = browser(app, "10.1.1.1")
    for _ in range(6):
        assert log_in(client, "wrong password").status_code == 401
    slowed = log_in(client, TOKEN)
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "1"
    other = browser(app, "10.1.1.2")
    assert log_in(other, TOKEN).status_code == 302, "another client is not slowed"
    clock.now += 1.5
    assert log_in(client, TOKEN).status_code == 302


def test_wrong_passwords_from_many_clients_are_slowed_down_together(app, clock):
    for n in range(21):
        assert log_in(browser(app, f"10.2.0.{n}"), "wrong password").status_code == 401
    assert log_in(browser(app, "10.2.1.1"), TOKEN).status_code == 429
    clock.now += 2
    assert log_in(browser(app, "10.2.1.1"), TOKEN).status_code == 302


def test_agent_error_pages_never_show_the_admin_url(app, monkeypatch):
    from wallet.console import common
    from wallet.errors import AgentError

    app.extensions["tessera"]["agent"].admin.base_url = "http://127.0.0.1:8031"

    def broken(*args, **kwargs):
        raise AgentError("GET", "http://127.0.0.1:8031/connections", 500, "boom")

    monkeypatch.setattr(common, "connections", broken)
    client = browser(app)
    assert log_in(client).status_code == 302
    response = client.get("/connections")
    assert response.status_code == 502
    body = response.get_data(as_text=True)
    assert "127.0.0.1:8031" not in body and "HTTP 500" in body
