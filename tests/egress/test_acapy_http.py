"""The plugin around ACA-Py's HTTP transport: pinned to the source it wraps, and what it
does with real posts to loopback listeners (in process, no agent)."""

import asyncio
import hashlib
import inspect
from types import SimpleNamespace

import pytest
from acapy_agent.transport.outbound.base import OutboundTransportError
from acapy_agent.transport.outbound.http import HttpTransport
from acapy_agent.version import __version__ as acapy_version

from wallet.egress import acapy_http
from wallet.errors import ConfigError

from .listeners import listeners

WEBHOOK_PATH = "/webhooks/holder"
DIDCOMM = SimpleNamespace(settings={})  # the profile a DIDComm message is sent for


def test_the_wrapped_acapy_transport_is_the_one_this_plugin_was_written_for():
    """Fails loudly when ACA-Py's HttpTransport changes: re-read it, then update the pin."""
    source = inspect.getsource(HttpTransport)
    assert hashlib.sha256(source.encode()).hexdigest() == acapy_http.HTTP_TRANSPORT_SHA256, (
        "acapy_agent/transport/outbound/http.py changed: check that wallet/egress/acapy_http.py "
        "still replaces every way it connects, then update HTTP_TRANSPORT_SHA256"
    )
    assert acapy_http.version_supported(acapy_version)
    # The methods replaced are the ones ACA-Py's transport manager calls.
    assert {"start", "stop", "handle_message"} <= set(vars(HttpTransport))


@pytest.mark.parametrize(
    ("version", "supported"),
    [("1.7.0", True), ("1.7.3", True), ("1.8.0", False), ("1.6.2", False), ("2.0", False)],
)
def test_versions_outside_the_pinned_range_are_refused(version, supported):
    assert acapy_http.version_supported(version) is supported


@pytest.mark.parametrize(
    ("config", "allowed"),
    [
        ({}, False),
        ({"tessera_egress": {}}, False),
        ({"tessera_egress": {"allow_loopback": False}}, False),
        ({"tessera_egress": {"allow_loopback": True}}, True),
        ({"tessera_egress": {"allow_loopback": "yes"}}, ConfigError),
        ({"tessera_egress": {"allow_loopback": 1}}, ConfigError),
    ],
)
def test_loopback_is_allowed_only_when_the_deployment_says_so(config, allowed):
    settings = {"plugin_config": config}
    if allowed is ConfigError:
        with pytest.raises(ConfigError, match="allow_loopback"):
            acapy_http.allow_loopback(settings)
    else:
        assert acapy_http.allow_loopback(settings) is allowed


def test_an_outbound_transport_the_plugin_does_not_guard_stops_the_agent():
    with pytest.raises(ConfigError, match="guards only the http"):
        acapy_http.install({"transport.outbound_configs": ["http", "ws"]})


@pytest.fixture
def installed(monkeypatch):
    """Install the plugin's methods for this test only."""
    for name in ("start", "stop", "handle_message"):
        monkeypatch.setattr(HttpTransport, name, getattr(HttpTransport, name))
    acapy_http.install({})


def post(endpoint, *, allow_loopback, profile=DIDCOMM, webhook_url=None):
    """Start a transport with these settings, post one message to `endpoint`, stop it."""
    settings = {"plugin_config": {"tessera_egress": {"allow_loopback": allow_loopback}}}
    if webhook_url:
        settings["admin.webhook_urls"] = [webhook_url]

    async def run():
        transport = HttpTransport(root_profile=SimpleNamespace(settings=settings))
        await transport.start()
        try:
            await transport.handle_message(profile, b"envelope", endpoint)
        finally:
            await transport.stop()

    asyncio.run(run())


def test_a_redirect_is_refused_and_the_message_is_not_reposted(installed, caplog):
    with listeners({}) as (second,), listeners({"redirect_to": second.url("/in")}) as (first,):
        with pytest.raises(OutboundTransportError, match="HTTP 307, a redirect"):
            post(first.url("/"), allow_loopback=True)
        assert [r[:2] for r in first.seen()] == [("POST", "/")]
        assert second.seen() == [] and second.connections() == 0
    assert "Egress refused for" in caplog.text and "no redirects" in caplog.text


@pytest.mark.parametrize("host", ["127.0.0.1", "0x7f000001", "2130706433", "firm.localhost"])
def test_a_loopback_endpoint_is_reached_only_where_loopback_is_allowed(installed, host):
    with listeners({}) as (target,):
        post(target.url("/", host=host), allow_loopback=True)
        assert [r[:2] for r in target.seen()] == [("POST", "/")]
        assert target.seen()[0][2] == "application/ssi-agent-wire"
        with pytest.raises(OutboundTransportError, match=r"Egress refused: .*loopback"):
            post(target.url("/again", host=host), allow_loopback=False)
        assert len(target.seen()) == 1 and target.connections() == 1


def test_webhooks_reach_the_controller_in_production_and_nothing_else_does(installed):
    """ACA-Py queues webhooks without a profile; a DIDComm message always has one."""
    with listeners({}) as (hub,):
        hook = hub.url(WEBHOOK_PATH)
        endpoint = f"{hook}/topic/connections/"
        post(endpoint, allow_loopback=False, profile=None, webhook_url=f"{hook}#key")
        assert [r[1] for r in hub.seen()] == ["/webhooks/holder/topic/connections/"]
        with pytest.raises(OutboundTransportError, match="loopback"):
            post(endpoint, allow_loopback=False, webhook_url=f"{hook}#key")
        with pytest.raises(OutboundTransportError, match="loopback"):
            post(hub.url("/other/topic/x/"), allow_loopback=False, profile=None, webhook_url=hook)
        assert len(hub.seen()) == 1 and hub.connections() == 1
