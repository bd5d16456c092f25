"""Where the registry may connect: Tessera's one egress policy (`wallet.egress`), for https.

The rules are `wallet.egress.policy`'s, pure: public addresses only, every spelling of
an address normalised; loopback, and `.localhost` names (127.0.0.1 in process, RFC
6761, never asked of DNS), only in test and demo configuration (`allow_loopback`);
never a redirect. On top, for did:webvh: https only, a size cap and a timeout
(`Policy`). Refusals are `FetchRefused`, this room's error, worded by the policy.
"""

import urllib.parse
from dataclasses import dataclass

from ..egress.policy import address_refusal, decide_target
from ..egress.target import EgressRefused, parse_url
from .errors import FetchRefused

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Policy:
    """What a fetch may do: loopback or not, the size cap in bytes, the timeout in seconds."""

    allow_loopback: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT


def address_allowed(address: str, allow_loopback: bool) -> bool:
    """Tell whether an address may be contacted: public, or loopback when allowed (pure)."""
    return address_refusal(address, allow_loopback=allow_loopback) is None


def refused_address(url: str, address: str, allow_loopback: bool) -> str:
    """Return the policy's words for a URL whose host resolved to a refused address."""
    why = address_refusal(address, allow_loopback=allow_loopback) or "refused"
    return f"The address {url} points at {address}: {why}."


def _target(url: str, policy: Policy):
    try:
        target = parse_url(url)
    except EgressRefused as err:
        raise FetchRefused(str(err)) from None
    if target.scheme != "https":
        raise FetchRefused(f"The address {target.shown} is not https; did:webvh uses https only.")
    return target


def check_url(url: str, policy: Policy) -> tuple[str, int]:
    """Return (host, port) of a URL the policy lets us fetch; FetchRefused otherwise (pure).

    Address literals and `.localhost` names are decided here; a name is decided on
    every address it resolves to when connecting (`fetch.PolicyResolver`).
    """
    target = _target(url, policy)
    if not target.needs_lookup:
        decision = decide_target(target, allow_loopback=policy.allow_loopback)
        if not decision.allowed:
            raise FetchRefused(decision.reason)
    return target.host.name, target.port


def resolve_local(host: str, policy: Policy) -> list[str] | None:
    """Return the addresses of a `.localhost` name (no DNS), or None for other names."""
    target = _target(f"https://{host}/", policy)
    if not target.host.is_localhost:
        return None
    decision = decide_target(target, allow_loopback=policy.allow_loopback)
    if not decision.allowed:
        raise FetchRefused(decision.reason)
    return list(decision.addresses)


def refuse_redirect(url: str, status: int, location: str | None, policy: Policy) -> FetchRefused:
    """Return the error for a redirect answer: never followed; says where it pointed (pure)."""
    target = urllib.parse.urljoin(url, location or "")
    reason = "redirects are not followed"
    if location:
        try:
            check_url(target, policy)
        except FetchRefused as err:
            reason = f"the redirect is refused: {err}"
    return FetchRefused(
        f"{url} answered HTTP {status} redirecting to {target or '(nowhere)'}; {reason}. "
        "The issuer must serve its objects at the address their id names."
    )
