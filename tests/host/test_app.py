"""The host's own pages without agents: bad sign-ups, and rate limits shared by instances."""

import pytest
from werkzeug.test import Client

from wallet.host.accounts import Accounts
from wallet.host.app import create_host_app
from wallet.host.config import HostConfig
from wallet.host.instance import Instance

from .hosting import TOKEN


def _apps(host_db, tmp_path, names, limit="3 per minute", **options):
    """Instances' web faces on one database, sign-up and login limited (3 a minute)."""
    url, agent_password = host_db
    made = []
    for name in names:
        config = HostConfig(
            home=tmp_path,
            database_url=url,
            agent_db_password=agent_password,
            instance=name,
            inbox_port=0,
            scrypt_n=2**10,
            **options,
        )
        instance = Instance(config, schemas={}).start()
        limits = {"signup": limit, "login": limit}
        made.append((instance, create_host_app(instance, {"RATE_LIMITS": limits})))
    return made


@pytest.fixture
def two_apps(host_db, tmp_path):
    """Two instances' web faces on one database."""
    made = _apps(host_db, tmp_path, ("i-one", "i-two"))
    yield made
    for instance, _ in made:
        instance.stop()


def _post(app, path, data, headers=None):
    client = Client(app)
    page = client.get(path.split("/restore")[0] if path != "/login" else path)
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    cookie = page.headers.get("Set-Cookie", "").split(";")[0]
    headers = {"Cookie": cookie, **(headers or {})}
    return client.post(path, data={**data, "csrf_token": token}, headers=headers)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"name": "x", "passphrase": "long enough words", "confirm": "long enough words"},
            "3 to 40",
        ),
        ({"name": "eve.k", "passphrase": "short", "confirm": "short"}, "at least 10"),
        (
            {"name": "eve.k", "passphrase": "long enough words", "confirm": "other words!!"},
            "differ",
        ),
        (
            {
                "name": "taken.one",
                "passphrase": "long enough words",
                "confirm": "long enough words",
            },
            "taken",
        ),
    ],
)
def test_bad_sign_ups_are_refused_with_the_reason_and_create_nothing(two_apps, form, message):
    instance, app = two_apps[0]
    Accounts(instance.db, scrypt_n=2**10).create("taken.one", "some other phrase 1")
    answer = _post(app, "/signup", form)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert instance.db.one("SELECT count(*) FROM accounts")[0] == 1


def test_a_flood_of_sign_ups_is_limited_across_instances(two_apps):
    (_, one), (_, two) = two_apps
    form = {"name": "flood", "passphrase": "short", "confirm": "short"}
    assert [_post(one, "/signup", form).status_code for _ in range(3)] == [400, 400, 400]
    limited = _post(two, "/signup", form)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert "Too many attempts" in limited.get_data(as_text=True)


def test_wrong_logins_are_limited_and_never_say_which_part_was_wrong(two_apps):
    (instance, one), (_, two) = two_apps
    Accounts(instance.db, scrypt_n=2**10).create("real.name", "the right phrase 1")
    wrong_pass = _post(one, "/login", {"name": "real.name", "passphrase": "the wrong phrase"})
    no_such = _post(one, "/login", {"name": "nobody.here", "passphrase": "the right phrase 1"})
    assert wrong_pass.status_code == no_such.status_code == 401
    assert "name or the passphrase is wrong" in wrong_pass.get_data(as_text=True)
    assert "name or the passphrase is wrong" in no_such.get_data(as_text=True)
    _post(two, "/login", {"name": "real.name", "passphrase": "wrong again!"})
    assert _post(two, "/login", {"name": "real.name", "passphrase": "x"}).status_code == 429


@pytest.mark.parametrize(
    ("trusted_proxies", "other_client_status"),
    [
        (0, 429),  # X-Forwarded-For ignored (anyone can send it): one address, limited
        (1, 400),  # behind the load balancer: each client counted on its own
    ],
)
def test_rate_limits_count_clients_behind_a_trusted_proxy_only(
    host_db, tmp_path, trusted_proxies, other_client_status
):
    ((instance, app),) = _apps(host_db, tmp_path, ("i-one",), trusted_proxies=trusted_proxies)
    try:
        form = {"name": "flood", "passphrase": "short", "confirm": "short"}
        first = {"X-Forwarded-For": "127.0.0.7"}  # two clients, loopback addresses only
        assert [_post(app, "/signup", form, first).status_code for _ in range(3)] == [400] * 3
        assert _post(app, "/signup", form, first).status_code == 429
        other = _post(app, "/signup", form, {"X-Forwarded-For": "127.0.0.9"})
        assert other.status_code == other_client_status
    finally:
        instance.stop()


def test_busy_on_a_rate_limited_page_says_a_minute_not_the_limit_s_window(host_db, tmp_path):
    ((instance, app),) = _apps(host_db, tmp_path, ("i-one",), "3 per hour", max_people=0)
    try:
        form = {"name": "eve.k", "passphrase": "long enough words", "confirm": "long enough words"}
        answer = _post(app, "/signup", form)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
        assert "try again in a minute" in answer.get_data(as_text=True)
        assert instance.db.one("SELECT count(*) FROM accounts")[0] == 0
    finally:
        instance.stop()
