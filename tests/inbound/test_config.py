"""What the plugin reads from the agent's settings: the inbox, the person, the control key."""

import os

import pytest

from wallet.errors import ConfigError
from wallet.inbound.config import InboxLink, load

PERSON = "XMMWXlOYhfXe_p_jHOK8-HAL"


@pytest.fixture
def home(tmp_path):
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    key = secrets / "inbox.control-key"
    key.write_text("the-control-key\n")
    os.chmod(key, 0o600)
    return tmp_path


def settings_for(home, endpoint, **inbound):
    config = {"tessera_registry": {"dir": str(home / "registry")}}
    if inbound:
        config["tessera_inbound"] = inbound
    return {"default_endpoint": endpoint, "plugin_config": config}


@pytest.mark.parametrize(
    ("endpoint", "inbound", "expected"),
    [
        (
            f"http://127.0.0.1:8035/didcomm/{PERSON}",
            {},
            InboxLink("http://127.0.0.1:8035", PERSON, "the-control-key"),
        ),
        (
            f"https://wallet.example.localhost/didcomm/{PERSON}/",
            {"inbox_url": "http://127.0.0.1:9035"},
            InboxLink("http://127.0.0.1:9035", PERSON, "the-control-key"),
        ),
        ("http://127.0.0.1:8030", {}, None),  # the agent's own port: no inbox
        ("http://127.0.0.1:8035/didcomm/", {}, None),
        ("not a url at all", {}, None),
        (None, {}, None),
    ],
)
def test_the_inbox_is_found_from_the_endpoint(home, endpoint, inbound, expected):
    assert load(settings_for(home, endpoint, **inbound)).inbox == expected


def test_without_a_readable_control_key_no_keys_are_registered(home):
    (home / "secrets" / "inbox.control-key").unlink()
    assert load(settings_for(home, f"http://127.0.0.1:8035/didcomm/{PERSON}")).inbox is None


def test_a_control_key_readable_by_others_is_refused(home):
    os.chmod(home / "secrets" / "inbox.control-key", 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load(settings_for(home, f"http://127.0.0.1:8035/didcomm/{PERSON}"))


@pytest.mark.parametrize(
    "inbound",
    [
        {"test_hold_before_handler_s": -1},
        {"test_hold_after_handler_s": "soon"},
        {"test_hold_before_handler_s": True},
        {"test_hold_after_handler_s": 10_000},
        {"person_id": "../../etc"},
    ],
)
def test_malformed_settings_are_refused(home, inbound):
    with pytest.raises(ConfigError):
        load(settings_for(home, f"http://127.0.0.1:8035/didcomm/{PERSON}", **inbound))


def test_the_test_holds_are_read(home):
    config = load(settings_for(home, "http://127.0.0.1:8030", test_hold_before_handler_s=2.5))
    assert (config.hold_before_handler, config.hold_after_handler) == (2.5, 0.0)
