"""aiohttp under the policy: the resolver (fake DNS answers, no traffic) and the session's
middleware against loopback listeners."""

import asyncio
import socket

import pytest

from wallet.egress.client import PolicyResolver, guarded_session
from wallet.egress.target import EgressRefused

from .listeners import listeners

PUBLIC = "93.184.215.14"


def fake_dns(answers):
    """An async getaddrinfo answering from `answers` (host -> addresses); counts its calls."""
    calls = []

    async def getaddrinfo(host, port, type=0, family=0):
        calls.append(host)
        if host not in answers:
            raise AssertionError(f"the test asked DNS for {host}")
        return [(socket.AF_INET, type, 6, "", (address, port)) for address in answers[host]]

    getaddrinfo.calls = calls
    return getaddrinfo


def resolve(host, *, allow_loopback, answers=None):
    dns = fake_dns(answers or {})
    resolver = PolicyResolver(allow_loopback=allow_loopback, getaddrinfo=dns)
    found = asyncio.run(resolver.resolve(host, 443))
    return [entry["host"] for entry in found], dns.calls


@pytest.mark.parametrize(
    ("host", "answers", "allow_loopback", "connects_to"),
    [
        ("firm.example", {"firm.example": [PUBLIC]}, False, [PUBLIC]),
        ("firm.localhost", {}, True, ["127.0.0.1"]),
        ("0x7f000001", {}, True, ["127.0.0.1"]),
        ("%31%32%37.0.0.1", {}, True, ["127.0.0.1"]),
    ],
)
def test_resolver_hands_aiohttp_only_the_checked_addresses(
    host, answers, allow_loopback, connects_to
):
    found, asked = resolve(host, allow_loopback=allow_loopback, answers=answers)
    assert found == connects_to
    assert asked == list(answers)  # one lookup for a name, none otherwise


@pytest.mark.parametrize(
    ("host", "answers", "says"),
    [
        ("rebind.example", {"rebind.example": [PUBLIC, "10.0.0.1"]}, "private address"),
        ("cgnat.example", {"cgnat.example": ["100.64.0.9"]}, "shared address space"),
        ("meta.example", {"meta.example": ["169.254.169.254"]}, "link-local"),
        ("firm.localhost", {}, "loopback"),
        ("0x7f000001", {}, "loopback"),
        ("0x0a000001", {}, "private address"),
    ],
)
def test_resolver_refuses_a_name_when_any_address_is_refused(host, answers, says):
    with pytest.raises(EgressRefused, match=says):
        resolve(host, allow_loopback=False, answers=answers)


def fetch(url, *, allow_loopback, allow_redirects):
    async def run():
        async with (
            guarded_session(allow_loopback=allow_loopback) as session,
            session.get(url, allow_redirects=allow_redirects) as response,
        ):
            return response.status

    return asyncio.run(run())


@pytest.mark.parametrize("allow_redirects", [True, False])
def test_session_never_follows_a_redirect_even_when_asked_to(allow_redirects):
    with listeners({}) as (second,), listeners({"redirect_to": second.url("/x")}) as (first,):
        with pytest.raises(EgressRefused, match="HTTP 307, a redirect to"):
            fetch(first.url("/"), allow_loopback=True, allow_redirects=allow_redirects)
        assert [r[1] for r in first.seen()] == ["/"]
        assert second.seen() == [] and second.connections() == 0


def test_session_reaches_loopback_only_where_allowed():
    with listeners({}) as (target,):
        assert (
            fetch(
                target.url("/", host="firm.localhost"), allow_loopback=True, allow_redirects=False
            )
            == 200
        )
        with pytest.raises(EgressRefused, match="loopback"):
            fetch(target.url("/"), allow_loopback=False, allow_redirects=False)
        with pytest.raises(EgressRefused, match="loopback"):
            fetch(
                target.url("/", host="firm.localhost"), allow_loopback=False, allow_redirects=False
            )
        assert [r[1] for r in target.seen()] == ["/"] and target.connections() == 1


def test_resolver_gives_up_a_lookup_that_hangs():
    async def hanging(host, port, type=0, family=0):
        await asyncio.Event().wait()

    resolver = PolicyResolver(allow_loopback=False, timeout=0.2, getaddrinfo=hanging)
    with pytest.raises(EgressRefused, match=r"took longer than 0\.2 s"):
        asyncio.run(resolver.resolve("slow.example", 443))
