"""The fetch policy as pure functions (Tessera's egress policy, https only): addresses,
URLs in every spelling, .localhost names, redirects."""

import pytest

from wallet.webvh.egress import (
    Policy,
    address_allowed,
    check_url,
    refuse_redirect,
    resolve_local,
)
from wallet.webvh.errors import FetchRefused

TEST = Policy(allow_loopback=True)
PROD = Policy(allow_loopback=False)


@pytest.mark.parametrize(
    ("address", "in_test", "in_production"),
    [
        ("127.0.0.1", True, False),
        ("127.8.9.10", True, False),
        ("::1", True, False),
        ("::ffff:127.0.0.1", True, False),
        ("8.8.8.8", True, True),
        ("2606:4700:4700::1111", True, True),
        ("10.0.0.1", False, False),
        ("172.16.5.4", False, False),
        ("192.168.1.1", False, False),
        ("169.254.169.254", False, False),
        ("fe80::1%eth0", False, False),
        ("fd12:3456::1", False, False),
        ("::ffff:192.168.1.1", False, False),
        ("100.64.0.1", False, False),  # shared address space
        ("0.0.0.0", False, False),
        ("224.0.0.1", False, False),
        ("240.0.0.1", False, False),
        ("not-an-address", False, False),
    ],
)
def test_address_table(address, in_test, in_production):
    assert address_allowed(address, allow_loopback=True) is in_test
    assert address_allowed(address, allow_loopback=False) is in_production


@pytest.mark.parametrize(
    ("url", "policy", "refused"),
    [
        ("https://issuer.example.com/resources/z", PROD, None),
        ("https://issuer.tessera.localhost:8443/x", TEST, None),
        ("https://issuer.tessera.localhost:8443/x", PROD, "this machine"),
        ("https://localhost/x", PROD, "this machine"),
        ("http://issuer.example.com/x", PROD, "not https"),
        ("ftp://issuer.example.com/x", PROD, "scheme"),
        ("https://user:pw@issuer.example.com/x", PROD, "credentials"),
        ("https:///x", PROD, "no host"),
        ("https://10.1.2.3/x", TEST, "private"),
        ("https://0x0a000001/x", TEST, "private"),  # 10.0.0.1 in hex
        ("https://[fe80::1]/x", TEST, "link-local"),
        ("https://169.254.169.254/latest", TEST, "link-local"),
        ("https://0x7f000001/x", PROD, "loopback"),  # 127.0.0.1 in hex
        ("https://2130706433/x", PROD, "loopback"),  # 127.0.0.1 as one integer
        ("https://0x7f000001/x", TEST, None),
        ("https://127.0.0.1:8443/x", TEST, None),
        ("https://issuer.example.com:99999/x", PROD, "malformed"),
    ],
)
def test_url_table(url, policy, refused):
    if refused is None:
        assert check_url(url, policy)
    else:
        with pytest.raises(FetchRefused, match=refused):
            check_url(url, policy)


def test_localhost_names_map_to_loopback_without_dns_only_when_allowed():
    assert resolve_local("issuer.tessera.localhost", TEST) == ["127.0.0.1"]
    assert resolve_local("issuer.example.com", TEST) is None  # resolved normally, then checked
    with pytest.raises(FetchRefused, match="only the demo and tests"):
        resolve_local("issuer.tessera.localhost", PROD)


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("https://10.0.0.5/resources/z", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("http://issuer.example.com/x", "not https"),
        ("/elsewhere", "redirects are not followed"),
        (None, "redirects are not followed"),
    ],
)
def test_redirects_are_never_followed_and_say_where_they_pointed(location, reason):
    err = refuse_redirect("https://issuer.example.com/resources/z", 302, location, PROD)
    assert isinstance(err, FetchRefused)
    assert "HTTP 302" in str(err)
    assert reason in str(err)
