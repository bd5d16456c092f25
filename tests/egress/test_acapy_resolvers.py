"""did:web and did:webvh fetches under the policy: pinned to the sources they replace, and
run in process against loopback listeners (no agent)."""

import asyncio
import hashlib
import inspect
from types import SimpleNamespace

import did_webvh.core.file_utils as webvh_files
import pytest
from acapy_agent.resolver.base import ResolverError
from acapy_agent.resolver.default.web import WebDIDResolver

from wallet.egress import acapy_resolvers

from .listeners import listeners

PROFILE = SimpleNamespace(settings={})


def test_the_wrapped_resolvers_are_the_ones_this_plugin_was_written_for():
    """Fails loudly when ACA-Py's did:web resolver or did_webvh's read_url changes."""
    assert (
        hashlib.sha256(inspect.getsource(WebDIDResolver).encode()).hexdigest()
        == acapy_resolvers.WEB_RESOLVER_SHA256
    ), "acapy_agent/resolver/default/web.py changed: re-check resolve_did_web, update the pin"
    original = acapy_resolvers.original_read_url()
    assert (
        hashlib.sha256(inspect.getsource(original).encode()).hexdigest()
        == acapy_resolvers.WEBVH_READ_URL_SHA256
    ), "did_webvh's read_url changed: re-check guarded_read_url, update the pin"
    for module in acapy_resolvers.WEBVH_MODULES:
        assert hasattr(module, "read_url"), f"{module.__name__} no longer imports read_url"


@pytest.fixture
def installed(monkeypatch):
    """Install the guards for this test only; returns a function taking the setting."""
    monkeypatch.setattr(WebDIDResolver, "_resolve", WebDIDResolver._resolve)
    for module in acapy_resolvers.WEBVH_MODULES:
        monkeypatch.setattr(module, "read_url", module.read_url)
    return acapy_resolvers.install


@pytest.mark.parametrize(
    ("did", "says"),
    [
        ("did:web:10.0.0.1", "10.0.0.1, a private address"),
        ("did:web:100.64.0.1%3A8443", "shared address space"),
        ("did:web:0x7f000001", "loopback"),
        ("did:web:firm.localhost:user:alice", "loopback"),
        ("did:web:169.254.169.254:latest", "link-local"),
    ],
)
def test_did_web_resolution_is_refused_before_any_connection(installed, did, says):
    installed(False)
    with pytest.raises(ResolverError, match=f"Egress refused: .*{says}"):
        asyncio.run(WebDIDResolver()._resolve(PROFILE, did))


def test_did_web_never_reaches_a_loopback_listener_in_production(installed):
    installed(False)
    with listeners({}) as (firm,):
        with pytest.raises(ResolverError, match="loopback"):
            asyncio.run(WebDIDResolver()._resolve(PROFILE, f"did:web:127.0.0.1%3A{firm.port}"))
        assert firm.seen() == [] and firm.connections() == 0


def read(url):
    async def run():
        async with webvh_files.read_url(url) as reader:
            return [line async for line in reader]

    return asyncio.run(run())


def test_did_webvh_files_are_fetched_from_loopback_only_where_allowed(installed):
    with listeners({}) as (firm,):
        installed(True)
        assert read(firm.url("/.well-known/did.jsonl", host="firm.localhost")) == []
        installed(False)
        with pytest.raises(webvh_files.AsyncTextReadError, match=r"Egress refused: .*loopback"):
            read(firm.url("/.well-known/did.jsonl"))
        assert [r[:2] for r in firm.seen()] == [("GET", "/.well-known/did.jsonl")]
        assert firm.connections() == 1


def test_did_webvh_follows_no_redirect(installed):
    installed(True)
    with listeners({}) as (second,), listeners({"redirect_to": second.url("/x")}) as (first,):
        with pytest.raises(webvh_files.AsyncTextReadError, match="HTTP 307, a redirect"):
            read(first.url("/did.jsonl"))
        assert second.seen() == [] and second.connections() == 0


@pytest.mark.parametrize("url", ["http://10.0.0.1/did.jsonl", "http://[fd00::1]/did.jsonl"])
def test_did_webvh_refuses_private_addresses_before_connecting(installed, url):
    installed(True)
    with pytest.raises(webvh_files.AsyncTextReadError, match="private address"):
        read(url)
