"""A URL the wallet may connect to, split and normalised: one spelling per host (pure).

Every spelling of an address becomes its one canonical form before anything is
checked: IPv4 in hex (`0x7f000001`), as one integer (`2130706433`), in octal
(`0177.0.0.1`) or short (`127.1`), IPv4-mapped IPv6, percent-encoded hosts,
internationalised names (IDNA), a trailing dot, an IPv6 zone id. The rules follow
the WHATWG URL standard's host parser, which is what resolvers and browsers accept.
"""

import ipaddress
import string
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import idna

from ..errors import InputError

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL = 4096
SHOWN = 120
# Characters no host name may hold once percent-decoded (WHATWG forbidden host code points).
_FORBIDDEN = set(" #%/:<>?@[\\]^|\t\r\n\0")
_NAME_CHARS = set(string.ascii_lowercase + string.digits + "-_")


class EgressRefused(InputError):
    """Tessera will not connect to this URL; the message says why in plain words."""


@dataclass(frozen=True)
class Host:
    """A host, normalised: a canonical address, or a lower-case ASCII name."""

    name: str
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None

    @property
    def is_localhost(self) -> bool:
        """`localhost` and `*.localhost` mean this machine (RFC 6761): never asked of DNS."""
        name = self.name
        return self.address is None and (name == "localhost" or name.endswith(".localhost"))

    @property
    def netloc_host(self) -> str:
        """The host as written in a URL (IPv6 in brackets)."""
        if isinstance(self.address, ipaddress.IPv6Address):
            return f"[{self.address.compressed}]"
        return self.name


@dataclass(frozen=True)
class Target:
    """A URL split into what a connection needs; `url` is the canonical one to request."""

    scheme: str
    host: Host
    port: int
    url: str
    shown: str

    @property
    def needs_lookup(self) -> bool:
        """True when the host is a name that only DNS can turn into addresses."""
        return self.host.address is None and not self.host.is_localhost


def shorten(text: str) -> str:
    """Return `text` cut to a length that fits in a message."""
    text = str(text)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def parse_url(url) -> Target:
    """Split and normalise `url`; EgressRefused with the reason if it cannot be a target."""
    if not isinstance(url, str) or not url:
        raise EgressRefused("No address given.")
    shown = shorten(url)
    if len(url) > MAX_URL:
        raise EgressRefused(f"The address {shown} is longer than {MAX_URL} characters.")
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        raise EgressRefused(f"The address {shown} holds spaces, control characters or backslashes.")
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError as err:
        raise EgressRefused(f"The address {shown} is malformed ({err}).") from None
    if parts.scheme not in SCHEMES:
        raise EgressRefused(
            f"The address {shown} uses the '{parts.scheme or 'no'}' scheme, not http or "
            "https; only http and https are accepted."
        )
    if "@" in parts.netloc:
        raise EgressRefused(
            f"The address {shown} carries credentials (a user name or password); refused."
        )
    if not parts.hostname:
        raise EgressRefused(f"The address {shown} has no host.")
    if explicit_port == 0:
        raise EgressRefused(f"The address {shown} names port 0.")
    host = normalise_host(parts.hostname, bracketed=parts.netloc.startswith("["), shown=shown)
    netloc = host.netloc_host + (f":{explicit_port}" if explicit_port is not None else "")
    canonical = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    port = explicit_port if explicit_port is not None else DEFAULT_PORTS[parts.scheme]
    return Target(scheme=parts.scheme, host=host, port=port, url=canonical, shown=shown)


def normalise_host(raw: str, *, bracketed: bool = False, shown: str = "") -> Host:
    """Return the canonical `Host` for a URL's host text; EgressRefused if it is none."""
    shown = shown or shorten(raw)
    try:
        text = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise EgressRefused(f"The host of {shown} is not valid percent-encoded UTF-8.") from None
    if bracketed:
        return Host(*_ipv6(text, shown))
    if text.endswith("."):
        text = text[:-1]
    if not text.isascii():
        try:
            text = idna.encode(text, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as err:
            raise EgressRefused(f"The host of {shown} is not a valid name ({err}).") from None
    text = text.lower()
    if not text or _FORBIDDEN.intersection(text):
        raise EgressRefused(f"The host of {shown} is not a valid host name.")
    if _ends_in_number(text):
        address = _ipv4(text, shown)
        return Host(str(address), address)
    labels = text.split(".")
    if len(text) > 253 or any(not 0 < len(lb) <= 63 or set(lb) - _NAME_CHARS for lb in labels):
        raise EgressRefused(f"The host of {shown} is not a valid host name.")
    return Host(text)


def _ipv6(text, shown):
    """Parse a bracketed IPv6 host (zone id dropped, IPv4-mapped turned into IPv4)."""
    address_text = text.split("%", 1)[0]
    try:
        address = ipaddress.IPv6Address(address_text)
    except ValueError:
        raise EgressRefused(f"The host of {shown} is not a valid IPv6 address.") from None
    if address.ipv4_mapped is not None:
        mapped = address.ipv4_mapped
        return str(mapped), mapped
    return address.compressed, address


def _ends_in_number(text):
    """WHATWG 'ends in a number': the last label is decimal digits or 0x-hex."""
    labels = text.split(".")
    last = labels[-1]
    if last.isdigit():
        return True
    return last[:2] == "0x" and all(ch in string.hexdigits for ch in last[2:])


def _ipv4(text, shown):
    """Parse any IPv4 spelling inet_aton accepts (1 to 4 parts, hex, octal, decimal)."""
    parts = text.split(".")
    refused = EgressRefused(f"The host of {shown} looks like an IPv4 address but is not one.")
    if len(parts) > 4 or "" in parts:
        raise refused
    try:
        numbers = [_ipv4_number(part) for part in parts]
    except ValueError:
        raise refused from None
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise refused
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part):
    """One part of an IPv4 spelling: 0x-hex, 0-octal or decimal; ValueError otherwise."""
    if part[:2] == "0x":
        digits, base, allowed = part[2:], 16, string.hexdigits
    elif len(part) > 1 and part[0] == "0":
        digits, base, allowed = part[1:], 8, string.octdigits
    else:
        digits, base, allowed = part, 10, string.digits
    if not all(ch in allowed for ch in digits):
        raise ValueError(part)
    return int(digits, base) if digits else 0
