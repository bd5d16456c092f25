"""The hosts-file check used before Node connects (pure, and on temporary files)."""

import pytest

from .hosts import ensure_mapping, maps_to_loopback

NAME = "issuer.tessera.localhost"


@pytest.mark.parametrize(
    ("text", "mapped"),
    [
        ("127.0.0.1 localhost\n127.0.0.1 issuer.tessera.localhost\n", True),
        ("127.0.0.1\tfoo issuer.tessera.localhost # tests\n", True),
        ("# 127.0.0.1 issuer.tessera.localhost\n", False),
        ("127.0.0.1 xissuer.tessera.localhost\n", False),
        ("10.0.0.1 issuer.tessera.localhost\n", False),
        ("", False),
    ],
)
def test_hosts_lines(text, mapped):
    assert maps_to_loopback(NAME, text) is mapped


def test_a_missing_line_is_written_once_or_the_check_fails(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost")
    ensure_mapping(NAME, hosts)
    ensure_mapping(NAME, hosts)
    assert hosts.read_text() == f"127.0.0.1 localhost\n127.0.0.1 {NAME}\n"
    hosts.write_text("127.0.0.1 localhost\n")
    with pytest.raises(AssertionError, match="cannot be written"):
        ensure_mapping(NAME, hosts, write=False)
    assert hosts.read_text() == "127.0.0.1 localhost\n"
