"""Look a URL's host up and apply the egress policy: `check_url` (blocking) and `prepare`.

`check_url` is the wallet app's invitation check: the name resolved once (never a
`.localhost` name), every address checked. `prepare` is what every HTTP request
made under the policy starts with (`client.py`): the canonical URL, address
literals and `.localhost` names decided at once (aiohttp connects to a literal
without asking its resolver), names left to the policy resolver at connect time.
"""

import ipaddress
import socket
import threading

from yarl import URL

from .policy import Decision, decide_target
from .target import EgressRefused, Target, parse_url

DNS_TIMEOUT = 10.0


def system_lookup(
    host: str, port: int, *, timeout: float = DNS_TIMEOUT, getaddrinfo=socket.getaddrinfo
) -> list[str]:
    """Return the addresses DNS gives for `host`, waiting at most `timeout` seconds."""
    outcome = {}
    done = threading.Event()

    def work():
        try:
            outcome["infos"] = getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as err:
            outcome["error"] = err
        finally:
            done.set()

    threading.Thread(target=work, name="egress-lookup", daemon=True).start()
    if not done.wait(timeout):
        raise EgressRefused(f"Looking up {host} took longer than {timeout:g} s; try again later.")
    if "error" in outcome:
        raise EgressRefused(f"Cannot look up {host} ({outcome['error']}).")
    return [info[4][0] for info in outcome["infos"]]


def check_url(url, *, allow_loopback: bool, lookup=system_lookup) -> Decision:
    """Resolve `url`'s host if it is a name (never `.localhost`) and decide; blocking.

    `lookup(host, port)` returns addresses or raises EgressRefused/OSError; tests
    pass their own, so no test ever asks DNS.
    """
    try:
        target = parse_url(url)
        addresses = lookup(target.host.name, target.port) if target.needs_lookup else ()
    except OSError as err:
        return Decision(url=str(url), host="", port=0, reason=f"Cannot look up the host ({err}).")
    except EgressRefused as err:
        return Decision(url=str(url), host="", port=0, reason=str(err))
    return decide_target(target, addresses, allow_loopback=allow_loopback)


def prepare(url, *, allow_loopback: bool) -> Target:
    """Return the canonical target to request; EgressRefused now if no connection may be made.

    Address literals and `.localhost` names are decided here (aiohttp connects to a
    literal without asking its resolver); names are decided by the resolver of
    `guarded_connector` when the connection is made.
    """
    target = parse_url(url)
    if not target.needs_lookup:
        decide_target(target, allow_loopback=allow_loopback).require()
    seen = URL(target.url).raw_host or ""
    expected = target.host.name
    if target.host.address is not None and ":" in seen:
        seen = ipaddress.ip_address(seen).compressed
    if seen != expected:
        raise EgressRefused(f"The address {target.shown} is read differently by the HTTP client.")
    return target
