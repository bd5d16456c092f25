"""The egress policy as a pure function: one row per spelling and address class (no traffic).

Every address below is only ever handed to `decide` as data (a fake resolver answer
or a URL that is parsed, never contacted).
"""

import pytest

from wallet.egress.policy import address_refusal, decide

PUBLIC = "93.184.215.14"
PUBLIC6 = "2606:4700:4700::1111"
LOOP = "127.0.0.1"

# (url, what DNS would answer for a name, addresses connected to when allowed with
#  loopback allowed or None if refused, the same with loopback refused, words in the reason)
ROWS = [
    # public addresses and names pass either way, connected at the checked address
    ("https://firm.example/didcomm", [PUBLIC], (PUBLIC,), (PUBLIC,), ""),
    ("https://firm.example/", [PUBLIC, PUBLIC6], (PUBLIC, PUBLIC6), (PUBLIC, PUBLIC6), ""),
    (f"http://{PUBLIC}:8020/", [], (PUBLIC,), (PUBLIC,), ""),
    (f"http://[{PUBLIC6}]/", [], (PUBLIC6,), (PUBLIC6,), ""),
    ("https://bücher.example/", [PUBLIC], (PUBLIC,), (PUBLIC,), ""),
    ("https://FIRM.Example./x", [PUBLIC], (PUBLIC,), (PUBLIC,), ""),
    ("http://192.0.0.9/", [], ("192.0.0.9",), ("192.0.0.9",), ""),
    # loopback in every spelling: only when the deployment allows it
    ("http://127.0.0.1:8020", [], (LOOP,), None, "loopback"),
    ("http://127.8.9.10/", [], ("127.8.9.10",), None, "loopback"),
    ("http://[::1]:8020/", [], ("::1",), None, "loopback"),
    ("http://0x7f000001/", [], (LOOP,), None, "loopback"),
    ("http://0X7F.0.0.1/", [], (LOOP,), None, "loopback"),
    ("http://2130706433/", [], (LOOP,), None, "loopback"),
    ("http://0177.0.0.1/", [], (LOOP,), None, "loopback"),
    ("http://017700000001/", [], (LOOP,), None, "loopback"),
    ("http://127.1/", [], (LOOP,), None, "loopback"),
    ("http://127.0.1/", [], (LOOP,), None, "loopback"),
    ("http://127.0.0.1./", [], (LOOP,), None, "loopback"),
    ("http://%31%32%37.0.0.1/", [], (LOOP,), None, "loopback"),
    ("http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/", [], (LOOP,), None, "loopback"),
    ("http://[::ffff:127.0.0.1]/", [], (LOOP,), None, "loopback"),
    ("http://[::ffff:7f00:1]/", [], (LOOP,), None, "loopback"),
    ("http://[::1%25lo]/", [], ("::1",), None, "loopback"),
    # .localhost names (RFC 6761): 127.0.0.1 without DNS, whatever DNS would say
    ("http://localhost:8020/", [PUBLIC], (LOOP,), None, "loopback"),
    ("http://issuer.tessera.localhost:8020/", [], (LOOP,), None, "loopback"),
    ("http://Wallet.LOCALHOST./", ["10.0.0.1"], (LOOP,), None, "loopback"),
    ("http://a%2eb.localhost/", [], (LOOP,), None, "loopback"),
    # names resolving to loopback (a rebinding attempt), or a mix with a public address
    ("http://rebind.example/", [PUBLIC, LOOP], (PUBLIC, LOOP), None, "resolves to 127.0.0.1"),
    ("http://rebind.example/", [PUBLIC, "10.0.0.1"], None, None, "resolves to 10.0.0.1"),
    ("http://rebind.example/", ["10.0.0.1", PUBLIC], None, None, "private address"),
    ("http://rebind.example/", [PUBLIC, "fe80::1%eth0"], None, None, "link-local"),
    ("http://rebind.example/", [PUBLIC, "::ffff:192.168.1.1"], None, None, "192.168.1.1"),
    ("http://rebind.example/", [PUBLIC, "100.64.1.2"], None, None, "shared address space"),
    ("http://nothing.example/", [], None, None, "resolves to no address"),
    ("http://junk.example/", ["not-an-address"], None, None, "not an IP address"),
    # private, in every spelling
    ("http://10.0.0.5:8020", [], None, None, "private address"),
    ("http://0x0a000001/", [], None, None, "10.0.0.1, a private address"),
    ("http://167772161/", [], None, None, "10.0.0.1, a private address"),
    ("http://012.0.0.1/", [], None, None, "10.0.0.1, a private address"),
    ("http://10.1/", [], None, None, "10.0.0.1, a private address"),
    ("http://172.16.0.1/", [], None, None, "private address"),
    ("http://192.168.1.1/", [], None, None, "private address"),
    ("http://192.168.257/", [], None, None, "192.168.1.1, a private address"),
    ("http://[::ffff:10.0.0.1]/", [], None, None, "10.0.0.1, a private address"),
    ("http://[::ffff:a00:1]/", [], None, None, "10.0.0.1, a private address"),
    # shared address space, link-local, multicast, reserved, unspecified, and the rest
    ("http://100.64.0.1/", [], None, None, "shared address space"),
    ("http://100.127.255.254/", [], None, None, "shared address space"),
    ("http://0x64400001/", [], None, None, "100.64.0.1, shared address space"),
    ("http://169.254.169.254/latest/meta-data", [], None, None, "link-local"),
    ("http://224.0.0.1/", [], None, None, "multicast"),
    ("http://239.255.255.250/", [], None, None, "multicast"),
    ("http://255.255.255.255/", [], None, None, "broadcast"),
    ("http://240.0.0.1/", [], None, None, "reserved"),
    ("http://0.0.0.0:80", [], None, None, "unspecified"),
    ("http://0/", [], None, None, "unspecified"),
    ("http://[::]/", [], None, None, "unspecified"),
    ("http://192.0.2.1/", [], None, None, "documentation"),
    ("http://198.51.100.7/", [], None, None, "documentation"),
    ("http://203.0.113.9/", [], None, None, "documentation"),
    ("http://198.18.0.1/", [], None, None, "benchmarking"),
    ("http://198.19.255.1/", [], None, None, "benchmarking"),
    ("http://192.0.0.1/", [], None, None, "private address"),
    # IPv6 classes
    ("http://[fd00::1]/", [], None, None, "unique local"),
    ("http://[fc00::1]/", [], None, None, "unique local"),
    ("http://[fe80::1]/", [], None, None, "link-local"),
    ("http://[fe80::1%25eth0]/", [], None, None, "link-local"),
    ("http://[fec0::1]/", [], None, None, "site-local"),
    ("http://[ff02::1]/", [], None, None, "multicast"),
    ("http://[ff0e::1]/", [], None, None, "multicast"),
    ("http://[2001:db8::1]/", [], None, None, "documentation"),
    ("http://[100::1]/", [], None, None, "discard-only"),
    ("http://[2001:20::1]/", [], ("2001:20::1",), ("2001:20::1",), ""),
    ("http://[::1:0:0:1]/", [], None, None, "reserved"),
    ("http://[2002:a00:1::]/", [], None, None, "6to4 address embedding 10.0.0.1"),
    ("http://[2002:c0a8:101::1]/", [], None, None, "6to4 address embedding 192.168.1.1"),
    ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", [], None, None, "Teredo"),
    ("http://[64:ff9b::a00:1]/", [], None, None, "NAT64 address embedding 10.0.0.1"),
    ("http://[64:ff9b::7f00:1]/", [], None, None, "NAT64 address embedding 127.0.0.1"),
    ("http://[64:ff9b::6440:1]/", [], None, None, "embedding 100.64.0.1, shared"),
    ("http://[64:ff9b:1::a00:1]/", [], None, None, "NAT64"),
    ("http://[::10.0.0.1]/", [], None, None, "IPv4-compatible"),
    ("http://[::127.0.0.1]/", [], None, None, "IPv4-compatible"),
    ("http://[::8.8.8.8]/", [], None, None, "IPv4-compatible"),
    # not an address at all, odd schemes, user info, malformed
    ("http://256.1.1.1/", [], None, None, "not one"),
    ("http://1.2.3.4.5/", [], None, None, "not one"),
    ("http://0x1g.0.0.1/", [PUBLIC], None, None, "not one"),
    ("http://0x1g.example/", [PUBLIC], (PUBLIC,), (PUBLIC,), ""),
    ("http://08.0.0.1/", [], None, None, "not one"),
    ("http://1.2.3.0x/", [], ("1.2.3.0",), ("1.2.3.0",), ""),
    ("http://0x/", [], None, None, "0.0.0.0, the unspecified"),
    ("http://evil.example%2f@x/", [], None, None, "credentials"),
    ("http://user:pw@firm.example/", [PUBLIC], None, None, "user name"),
    ("http://@firm.example/", [PUBLIC], None, None, "credentials"),
    ("http://firm%40evil.example/", [PUBLIC], None, None, "not a valid host name"),
    ("http://firm.example\\@evil.example/", [PUBLIC], None, None, "backslash"),
    ("http://firm .example/", [PUBLIC], None, None, "spaces"),
    ("http://firm.example%00.localhost/", [], None, None, "not a valid host name"),
    ("http://%ff.example/", [PUBLIC], None, None, "UTF-8"),
    ("http://[::1/", [], None, None, "malformed"),
    ("http://[evil.example]/", [], None, None, "malformed"),
    ("http://[1.2.3.4]/", [], None, None, "malformed"),
    ("http://firm.example:99999/", [PUBLIC], None, None, "malformed"),
    ("http://firm.example:0/", [PUBLIC], None, None, "port 0"),
    ("http:///nohost", [], None, None, "no host"),
    ("ftp://firm.example/x", [PUBLIC], None, None, "only http and https"),
    ("ws://firm.example/x", [PUBLIC], None, None, "only http and https"),
    ("file:///etc/passwd", [], None, None, "not http or https"),
    ("javascript:alert(1)", [], None, None, "only http and https"),
    ("gopher://127.0.0.1/", [], None, None, "only http and https"),
    ("//firm.example/", [PUBLIC], None, None, "'no' scheme"),
    ("", [], None, None, "No address"),
    ("http://" + "a" * 64 + ".example/", [PUBLIC], None, None, "not a valid host name"),
    ("http://firm.example/" + "x" * 5000, [PUBLIC], None, None, "longer than"),
]


@pytest.mark.parametrize("allow_loopback", [True, False], ids=["loopback-allowed", "production"])
@pytest.mark.parametrize(("url", "resolved", "with_loopback", "without", "says"), ROWS)
def test_policy_decides_every_spelling_and_class(
    url, resolved, with_loopback, without, says, allow_loopback
):
    decision = decide(url, resolved, allow_loopback=allow_loopback)
    expected = with_loopback if allow_loopback else without
    if expected is None:
        assert not decision.allowed and decision.addresses == ()
        assert says in decision.reason
    else:
        assert decision.allowed, decision.reason
        assert decision.addresses == expected


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://0x7f000001:8020/a?b=1#frag", "http://127.0.0.1:8020/a?b=1"),
        ("http://[::ffff:127.0.0.1]", "http://127.0.0.1/"),
        ("http://%31%32%37.1/x", "http://127.0.0.1/x"),
        ("https://BÜCHER.example./", "https://xn--bcher-kva.example/"),
        ("http://[::1%25lo]:9/", "http://[::1]:9/"),
        ("http://Issuer.Tessera.localhost:8020", "http://issuer.tessera.localhost:8020/"),
    ],
)
def test_allowed_url_is_requested_in_its_canonical_spelling(url, canonical):
    assert decide(url, allow_loopback=True).url == canonical


def test_a_refused_decision_raises_with_its_reason_and_an_allowed_one_does_not():
    refused = decide("http://10.0.0.1/", allow_loopback=True)
    with pytest.raises(ValueError, match="private address"):
        refused.require()
    allowed = decide("http://127.0.0.1/", allow_loopback=True)
    assert allowed.require() is allowed


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("100.64.0.1", "shared address space"),
        ("8.8.8.8", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),
        ("fe80::1%eth0", "link-local"),
        ("::ffff:169.254.1.1", "link-local"),
        ("127.0.0.1", "loopback"),
        ("nonsense", "not an IP address"),
    ],
)
def test_address_refusal_names_the_class_in_words(address, words):
    why = address_refusal(address, allow_loopback=False)
    assert why is None if words is None else words in why
