"""Invitation URLs: a table of good and bad links, validated as pure functions (no traffic)."""

import base64
import json

import pytest

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


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://firm.example/didcomm",
        "http://127.0.0.1:8020",
        "http://localhost:8020",
        "http://[::1]:8020",
        "https://93.184.215.14:443",
    ],
)
def test_acceptable_endpoints_pass(endpoint):
    assert check_endpoint(endpoint) == endpoint


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
        ("http://0.0.0.0:80", "private address"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[::ffff:10.0.0.1]/", "private address"),
        ("http://user:pw@firm.example/", "user name"),
        ("", "no service endpoint"),
        ("http:///nohost", "no host"),
    ],
)
def test_unsafe_endpoints_are_refused_with_the_reason(endpoint, says):
    with pytest.raises(InputError, match=says):
        check_endpoint(endpoint)


def test_valid_invitation_url_shows_who_it_is_from():
    parsed = parse_invitation_url(url_for(invitation()))
    assert parsed.label == "Acme Bank"
    assert parsed.endpoints == ("https://firm.example/didcomm",)
    assert parsed.raw["@id"] == "abc"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "No invitation"),
        ("not a link", "not a link"),
        ("https://firm.example/invite", "no `oob` parameter"),
        ("https://firm.example/invite?oob=%%%", "not valid base64"),
        (url_for(b"not json"), "does not hold JSON"),
        (url_for([1, 2]), "not a JSON object"),
        (
            url_for(invitation(**{"@type": "https://didcomm.org/connections/1.0/invitation"})),
            "not an out-of-band invitation",
        ),
        (url_for(invitation(services=[])), "no services"),
        (url_for(invitation(services=["did:peer:2.abc"])), "by a DID only"),
        (
            url_for(invitation(services=[{"serviceEndpoint": "https://firm.example"}])),
            "no recipient key",
        ),
        (url_for(invitation("http://10.1.2.3:8020")), "private address"),
        (url_for(invitation("http://169.254.1.1")), "link-local"),
        (url_for(invitation("file:///etc/passwd")), "only http and https"),
        ("https://x/?oob=" + "A" * 20000, "too long"),
    ],
)
def test_malformed_or_unsafe_invitations_are_refused(url, says):
    with pytest.raises(InputError, match=says):
        parse_invitation_url(url)
