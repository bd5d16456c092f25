"""did:webvh DIDs and attested-resource ids: parsing, building and their HTTPS URLs (pure).

An AnonCreds object of issuer `did:webvh:{SCID}:{host}[%3A{port}][:{path}...]` has the id
`{DID}/resources/{digestMultibase}`, where the digest is
`multibase(base58btc, multihash(sha2-256, JCS(content)))` ("zQm..."). The DID-to-HTTPS
transformation follows the did:webvh specification (and the `did-webvh` library ACA-Py
uses): `https://{host}[:{port}]/{path}/` is the base of the DID's files, its log is
`did.jsonl` there, or at `/.well-known/did.jsonl` when the DID has no path.
"""

import functools
import re
import urllib.parse
from dataclasses import dataclass

import jsoncanon
from did_webvh.domain_path import DomainPath
from multiformats import multibase, multihash

from .errors import InputError

METHOD = "did:webvh:"
RESOURCES = "resources"
LOG_FILE = "did.jsonl"
WELL_KNOWN = ".well-known"

_B58 = "1-9A-HJ-NP-Za-km-z"
_SEGMENT = r"[A-Za-z0-9._-]+"
# Issuer DIDs and object ids; ACA-Py picks this registry for ids that match.
SUPPORTED_IDENTIFIERS = re.compile(
    rf"^did:webvh:[{_B58}]+:[A-Za-z0-9.%-]+(?::{_SEGMENT})*(?:/{_SEGMENT})*$"
)
_LABEL = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
_PATH_SEGMENT = re.compile(rf"^{_SEGMENT}$")
_SCID = re.compile(rf"^[{_B58}]+$")
_DIGEST = re.compile(rf"^z[{_B58}]+$")
SHA2_256 = 0x12  # the multihash code of sha2-256
PARSED_IDS = 4096  # resource ids kept parsed


@dataclass(frozen=True)
class WebvhDid:
    """A parsed did:webvh DID: SCID, lower-case host, optional port and path."""

    did: str
    scid: str
    host: str
    port: int | None
    path: tuple[str, ...]

    @property
    def authority(self) -> str:
        """Return `host[:port]` as written in a URL."""
        return f"{self.host}:{self.port}" if self.port else self.host

    @property
    def base_url(self) -> str:
        """Return the base URL of the DID's files (ends with '/')."""
        return "/".join((f"https://{self.authority}", *self.path, ""))

    @property
    def log_url(self) -> str:
        """Return the URL of the DID log (`did.jsonl`)."""
        folder = self.path or (WELL_KNOWN,)
        return "/".join((f"https://{self.authority}", *folder, LOG_FILE))

    @property
    def log_path(self) -> tuple[str, ...]:
        """Return the DID log's path under the web root, as segments."""
        return (*(self.path or (WELL_KNOWN,)), LOG_FILE)


@dataclass(frozen=True)
class ResourceId:
    """A parsed attested-resource id: the issuer's DID, the path under it, the digest."""

    did: WebvhDid
    path: tuple[str, ...]
    digest: str

    @property
    def id(self) -> str:
        """Return the id as a string."""
        return "/".join((self.did.did, *self.path, self.digest))

    @property
    def url(self) -> str:
        """Return the HTTPS URL the resource is served at."""
        return self.did.base_url + "/".join((*self.path, self.digest))

    @property
    def web_path(self) -> tuple[str, ...]:
        """Return the resource's path under the web root, as segments."""
        return (*self.did.path, *self.path, self.digest)


def _bad(value: str, why: str) -> InputError:
    return InputError(f"{value!r} is not a usable did:webvh identifier: {why}")


def check_host(host: str) -> str:
    """Return `host` if it is a lower-case DNS name did:webvh accepts; InputError otherwise.

    Each label is at least two characters, starts with a letter and holds only letters,
    digits and hyphens; at least two labels. So IP addresses and bare `localhost` are out.
    """
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InputError(
            f"The host name {host!r} cannot be used in a did:webvh DID: use a lower-case "
            "name of at least two labels, each starting with a letter "
            "(for example issuer.example.com, or issuer.tessera.localhost on one machine)"
        )
    return host


def parse_did(did: str) -> WebvhDid:
    """Parse a did:webvh DID (no path, query or fragment); InputError if malformed."""
    if not isinstance(did, str) or not did.startswith(METHOD):
        raise _bad(str(did), "it does not start with did:webvh:")
    if any(c in did for c in "/?#"):
        raise _bad(did, "a DID has no path, query or fragment")
    scid, *parts = did.removeprefix(METHOD).split(":")
    if not _SCID.match(scid) or not parts:
        raise _bad(did, "expected did:webvh:<SCID>:<host>[:<path>...]")
    host = urllib.parse.unquote(parts[0])
    port = None
    if ":" in host:
        host, port_text = host.split(":", 1)
        if not port_text.isdecimal() or not 0 < int(port_text) < 65536:
            raise _bad(did, f"bad port {port_text!r}")
        port = int(port_text)
    try:
        check_host(host)
    except InputError as err:
        raise _bad(did, str(err)) from None
    for segment in parts[1:]:
        if not _PATH_SEGMENT.match(segment) or segment in (".", ".."):
            raise _bad(did, f"bad path segment {segment!r}")
    try:  # the library's own rules too, so what it resolves is what we parsed
        DomainPath.parse_identifier(did.removeprefix(METHOD))
    except ValueError as err:
        raise _bad(did, str(err)) from None
    return WebvhDid(did, scid, host, port, tuple(parts[1:]))


def check_digest(value: str) -> str:
    """Return `value` if it is a base58btc multibase SHA-256 multihash; InputError otherwise."""
    if not isinstance(value, str) or not _DIGEST.match(value):
        raise InputError(f"{value!r} is not a base58btc digestMultibase")
    try:
        code, raw = _unwrap(value)
    except (KeyError, ValueError) as err:
        raise InputError(f"{value!r} is not a multihash: {err}") from None
    if code != SHA2_256 or len(raw) != 32:
        raise InputError(f"{value!r} is not a SHA-256 multihash")
    return value


def _unwrap(value: str):
    code, raw = multihash.unwrap_raw(multibase.decode(value))
    return code, bytes(raw)


def parse_resource_id(value: str) -> ResourceId:
    """Parse `{DID}/{path...}/{digest}`; InputError if it is not an attested-resource id."""
    if not isinstance(value, str):
        raise _bad(str(value), "expected <did:webvh DID>/resources/<digest>")
    return _parse_resource_id(value)


# A verifier resolves the same few ids ~10 times per proof, and decoding the digest's
# multihash (the `multiformats` library checks its types at run time) was ~12% of its
# event loop's work. Ids that parse are kept (ResourceId is immutable); refusals are not.
@functools.lru_cache(maxsize=PARSED_IDS)
def _parse_resource_id(value: str) -> ResourceId:
    if "/" not in value or any(c in value for c in "?#"):
        raise _bad(value, "expected <did:webvh DID>/resources/<digest>")
    did_text, *rest = value.split("/")
    did = parse_did(did_text)
    *path, digest = rest
    for segment in path:
        if not _PATH_SEGMENT.match(segment) or segment in (".", ".."):
            raise _bad(value, f"bad path segment {segment!r}")
    try:
        check_digest(digest)
    except InputError as err:
        raise _bad(value, f"its last part must be the content digest ({err})") from None
    return ResourceId(did, tuple(path), digest)


def domain_identifier(host: str, port: int | None = None, path=()) -> str:
    """Return the method-specific part after the SCID: `host[%3Aport][:path...]`."""
    check_host(host)
    authority = f"{host}%3A{int(port)}" if port else host
    return ":".join((authority, *path))


def digest_multibase(content) -> str:
    """Return the digestMultibase of a JSON value: base58btc(multihash(sha2-256, JCS))."""
    return multibase.encode(multihash.digest(canonical(content), "sha2-256"), "base58btc")


def canonical(value) -> bytes:
    """Return the RFC 8785 (JCS) canonical JSON bytes of `value`."""
    try:
        return jsoncanon.canonicalize(value)
    except (TypeError, ValueError) as err:
        raise InputError(f"This value cannot be canonicalised as JSON: {err}") from err


def resource_id(did: str, content) -> str:
    """Return the id an attested resource of `content` gets under `did`."""
    parse_did(did)
    return f"{did}/{RESOURCES}/{digest_multibase(content)}"
