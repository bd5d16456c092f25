"""did:webvh ids: parsing, URLs (as the did-webvh library derives them), digests."""

import pytest
from did_webvh.history import did_base_url

from wallet.errors import InputError
from wallet.webvh.ids import (
    SUPPORTED_IDENTIFIERS,
    check_digest,
    digest_multibase,
    domain_identifier,
    parse_did,
    parse_resource_id,
    resource_id,
)

SCID = "QmcvPyyDtWEz8FRDwE1j21YrZD2cCkNJzbUtewCXVbrB9d"
DIGEST = digest_multibase({"a": 1})


@pytest.mark.parametrize(
    ("did", "log_url", "base_url"),
    [
        (
            f"did:webvh:{SCID}:issuer.tessera.localhost%3A8443",
            "https://issuer.tessera.localhost:8443/.well-known/did.jsonl",
            "https://issuer.tessera.localhost:8443/",
        ),
        (
            f"did:webvh:{SCID}:example.com",
            "https://example.com/.well-known/did.jsonl",
            "https://example.com/",
        ),
        (
            f"did:webvh:{SCID}:example.com:issuers:gov",
            "https://example.com/issuers/gov/did.jsonl",
            "https://example.com/issuers/gov/",
        ),
    ],
)
def test_urls_are_those_the_did_webvh_library_derives(did, log_url, base_url):
    parsed = parse_did(did)
    assert parsed.log_url == log_url
    assert parsed.base_url == base_url
    assert did_base_url(did) + "did.jsonl" == log_url
    assert did_base_url(did, files=True) == base_url
    assert SUPPORTED_IDENTIFIERS.match(did)


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com",
        f"did:webvh:{SCID}",
        f"did:webvh:{SCID}:localhost%3A8443",  # one label
        f"did:webvh:{SCID}:127.0.0.1",  # an address
        f"did:webvh:{SCID}:a.example.com",  # a one-letter label
        f"did:webvh:{SCID}:1host.example.com",  # a label starting with a digit
        f"did:webvh:{SCID}:Example.com",  # upper case
        f"did:webvh:{SCID}:user%40evil.example.com",  # userinfo smuggled in the host
        f"did:webvh:{SCID}:example.com%3A0",
        f"did:webvh:{SCID}:example.com%3A70000",
        f"did:webvh:{SCID}:example.com%3Ahttp",
        f"did:webvh:{SCID}:example.com:..",
        f"did:webvh:{SCID}:example.com/resources/x",  # a DID has no path
        "did:webvh:0OIl:example.com",  # not base58
    ],
)
def test_bad_dids_are_refused_with_a_reason(did):
    with pytest.raises(InputError, match="not a usable did:webvh identifier"):
        parse_did(did)


def test_resource_id_round_trips_to_its_url():
    did = f"did:webvh:{SCID}:example.com:issuers:gov"
    rid = parse_resource_id(resource_id(did, {"a": 1}))
    assert rid.id == f"{did}/resources/{DIGEST}"
    assert rid.url == f"https://example.com/issuers/gov/resources/{DIGEST}"
    assert rid.web_path == ("issuers", "gov", "resources", DIGEST)
    assert SUPPORTED_IDENTIFIERS.match(rid.id)


@pytest.mark.parametrize(
    "value",
    [
        f"did:webvh:{SCID}:example.com",  # no digest
        f"did:webvh:{SCID}:example.com/resources/notadigest",
        f"did:webvh:{SCID}:example.com/resources/zzzz",  # base58 but no multihash
        f"did:webvh:{SCID}:example.com/../resources/{DIGEST}",
        f"did:webvh:{SCID}:example.com/resources/{DIGEST}?x=1",
        f"did:webvh:{SCID}:example.com/resources/{DIGEST}#frag",
        f"did:tessera:z6Mk/creddef/{DIGEST}",
    ],
)
def test_bad_resource_ids_are_refused(value):
    for _ in range(2):  # and again: a refusal is never kept as an answer
        with pytest.raises(InputError):
            parse_resource_id(value)


@pytest.mark.parametrize("value", [None, 7, ["did:webvh:x"], {"id": 1}])
def test_resource_ids_that_are_not_text_are_refused(value):
    with pytest.raises(InputError):
        parse_resource_id(value)


def test_a_resource_id_is_parsed_once_and_kept():
    value = resource_id(f"did:webvh:{SCID}:kept.example.com", {"kept": True})
    first = parse_resource_id(value)
    assert parse_resource_id(value) is first and first.id == value


def test_digest_is_multibase_sha256_of_the_canonical_json():
    # Key order and spacing do not matter (JCS); the value is what Credo computes too.
    assert digest_multibase({"b": [1, "é"], "a": "x"}) == digest_multibase(
        {"a": "x", "b": [1, "é"]}
    )
    assert DIGEST.startswith("zQm") and check_digest(DIGEST) == DIGEST
    with pytest.raises(InputError, match="SHA-256"):
        check_digest("z12G1VopDdpt7csGzbXq8jRQ9dJt3KM")  # an identity multihash


@pytest.mark.parametrize(
    ("host", "port", "path", "expected"),
    [
        ("issuer.tessera.localhost", 8443, (), "issuer.tessera.localhost%3A8443"),
        ("example.com", None, ("a", "b"), "example.com:a:b"),
    ],
)
def test_domain_identifier(host, port, path, expected):
    assert domain_identifier(host, port, path) == expected
