"""Invitation URLs: a table of good and bad links, validated as pure functions (no traffic)."""

import base64
import json
import socket
import threading

import pytest

from wallet.egress.resolve import system_lookup
from wallet.errors import InputError
from wallet.invitations import check_endpoint, parse_invitation_url


def url_for(body, base="https://firm.example/invite"):
    """Encode `body` as an invitation URL."""
    raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return f"{base}?oob={base64.urlsafe_b64encode(raw).decode().rstrip('=')}"


def invitation(endpoint="https://firm.example/didcomm", **extra):
    """An out-of-band invitation pointing at `endpoint`."""
    body = {
        "@type": "https://didcomm.org/out-of-band/1.1/invitation",
        "@id": "abc",
        "label": "Acme Bank",
        "handshake_protocols": ["https://didcomm.org/didexchange/1.1"],
        "services": [
            {
                "id": "#inline",
                "type": "did-communication",
                "recipientKeys": ["did:key:z6Mk"],
                "serviceEndpoint": endpoint,
            }
        ],
    }
    body.update(extra)
    return body


PUBLIC = "93.184.215.14"
# What a fake DNS answers (never asked of the real one: no test sends a query).
DNS = {
    "firm.example": [PUBLIC],
    "rebind.example": [PUBLIC, "10.0.0.1"],
    "cgnat.example": ["100.64.3.4"],
}


def fake_lookup(host, port):
    """Answer from `DNS`; a name missing there fails the test instead of asking DNS."""
    if host not in DNS:
        raise AssertionError(f"the test asked for {host}, which it does not map")
    return DNS[host]


def check(endpoint, allow_loopback):
    return check_endpoint(endpoint, allow_loopback=allow_loopback, lookup=fake_lookup)


@pytest.mark.parametrize(
    ("endpoint", "in_production"),
    [
        ("https://firm.example/didcomm", True),
        ("https://93.184.215.14:443", True),
        ("http://127.0.0.1:8020", False),
        ("http://localhost:8020", False),
        ("http://issuer.tessera.localhost:8020", False),
        ("http://[::1]:8020", False),
        ("http://0x7f000001:8020", False),
    ],
)
def test_acceptable_endpoints_pass(endpoint, in_production):
    assert check(endpoint, allow_loopback=True) == endpoint
    if in_production:
        assert check(endpoint, allow_loopback=False) == endpoint
    else:
        with pytest.raises(InputError, match="loopback"):
            check(endpoint, allow_loopback=False)


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("ftp://firm.example/x", "only http and https"),
        ("ws://firm.example/x", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http://10.0.0.5:8020", "private address"),
        ("http://192.168.1.1", "private address"),
        ("http://172.16.0.1", "private address"),
        ("http://[fd00::1]/", "private address"),
        ("http://0.0.0.0:80", "unspecified"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[::ffff:10.0.0.1]/", "private address"),
        ("http://100.64.0.1:8020/", "shared address space"),
        ("http://0x0a000001/", "10.0.0.1, a private address"),
        ("http://167772161/", "10.0.0.1, a private address"),
        ("http://012.1/", "10.0.0.1, a private address"),
        ("http://rebind.example/", "resolves to 10.0.0.1"),
        ("http://cgnat.example/", "shared address space"),
        ("http://user:pw@firm.example/", "user name"),
        ("http://[fe80::1/", "malformed"),
        ("http://firm.example:99999/", "malformed"),
        ("", "no service endpoint"),
        ({"uri": "https://firm.example"}, "no service endpoint"),
        ("http:///nohost", "no host"),
    ],
)
@pytest.mark.parametrize("allow_loopback", [True, False], ids=["loopback-allowed", "production"])
def test_unsafe_endpoints_are_refused_with_the_reason(endpoint, says, allow_loopback):
    with pytest.raises(InputError, match=says):
        check(endpoint, allow_loopback)


def test_a_lookup_that_hangs_is_given_up_with_the_reason():
    release = threading.Event()

    def hanging(host, port, type=0):
        release.wait(10)
        return [(socket.AF_INET, type, 6, "", ("93.184.215.14", port))]

    def slow(host, port):
        return system_lookup(host, port, timeout=0.2, getaddrinfo=hanging)

    try:
        with pytest.raises(InputError, match=r"took longer than 0\.2 s"):
            check_endpoint("https://slow.example/", allow_loopback=False, lookup=slow)
    finally:
        release.set()


def test_a_host_that_cannot_be_looked_up_is_refused_with_the_reason():
    def failing(host, port):
        raise OSError("Name or service not known")

    with pytest.raises(InputError, match="Cannot look up"):
        check_endpoint("https://nowhere.example/", allow_loopback=False, lookup=failing)


def test_valid_invitation_url_shows_who_it_is_from():
    parsed = parse_invitation_url(url_for(invitation()), allow_loopback=False, lookup=fake_lookup)
    assert parsed.label == "Acme Bank"
    assert parsed.endpoints == ("https://firm.example/didcomm",)
    assert parsed.raw["@id"] == "abc"


ATTACHED = [{"@id": "req", "data": {"json": {"@id": "thread-1"}}}]


@pytest.mark.parametrize(
    ("extra", "carries_request"),
    [
        ({}, False),  # an invitation to connect
        ({"requests~attach": ATTACHED}, False),  # connect, then the request: still connects
        ({"handshake_protocols": None, "requests~attach": ATTACHED}, True),  # a QR request
        ({"handshake_protocols": [], "requests~attach": ATTACHED}, True),
        ({"handshake_protocols": [], "requests~attach": []}, False),  # nothing at all
    ],
)
def test_a_verifier_s_request_link_is_told_from_an_invitation(extra, carries_request):
    body = {k: v for k, v in invitation(**extra).items() if v is not None}
    parsed = parse_invitation_url(url_for(body), allow_loopback=False, lookup=fake_lookup)
    assert parsed.carries_request is carries_request


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "No invitation"),
        ("not a link", "not a link"),
        ("https://firm.example/invite", "it has no oob part"),
        ("https://firm.example/invite?oob=%%%", "not valid base64"),
        (url_for(b"not json"), "not a Tessera or DIDComm invitation link"),
        (url_for([1, 2]), "not a JSON object"),
        (
            url_for(invitation(**{"@type": "https://didcomm.org/connections/1.0/invitation"})),
            "not an out-of-band invitation",
        ),
        (url_for(invitation(services=[])), "no services"),
        (url_for(invitation(services=[invitation()["services"][0]] * 5)), "lists 5 services"),
        (url_for(invitation(services=["did:peer:2.abc"])), "by a DID only"),
        (
            url_for(invitation(services=[{"serviceEndpoint": "https://firm.example"}])),
            "no recipient key",
        ),
        (url_for(invitation("http://10.1.2.3:8020")), "private address"),
        (url_for(invitation("http://169.254.1.1")), "link-local"),
        (url_for(invitation("http://100.100.100.100")), "shared address space"),
        (url_for(invitation("http://0x7f000001")), "loopback"),
        (url_for(invitation("file:///etc/passwd")), "only http and https"),
        ("https://x/?oob=" + "A" * 20000, "too long"),
        ("https://[x/?oob=e30", "malformed"),
        (url_for(b"[" * 5000 + b"]" * 5000), "more than 32 levels deep"),
        (
            url_for(
                invitation(
                    label=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
                )
            ),
            "deep",
        ),
        (url_for(b'{"a": "' + b"[" * 5000 + b'"}'), "not an out-of-band invitation"),
    ],
)
def test_malformed_or_unsafe_invitations_are_refused(url, says):
    with pytest.raises(InputError, match=says):
        parse_invitation_url(url, allow_loopback=False, lookup=fake_lookup)


def test_every_caller_says_whether_loopback_is_allowed():
    with pytest.raises(TypeError, match="allow_loopback"):
        parse_invitation_url(url_for(invitation("http://127.0.0.1:8020")))
