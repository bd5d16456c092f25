"""Which host names the wallet app answers, and which origins may change anything in it.

A page on another site can make the person's browser talk to the wallet on loopback
(DNS rebinding: a host name of the attacker's that resolves to 127.0.0.1). So the app
answers only the host names it was configured with (`WALLET_HOSTS`: loopback names,
plus `$TESSERA_WALLET_HOSTS`, comma-separated, plus what a hosted instance passes), and a
state-changing request whose `Sec-Fetch-Site` says it came from another site, or whose
`Origin` is another origin (or `null` without `Sec-Fetch-Site`), is refused with 403
(forms also carry a CSRF token; API clients such as curl send neither header and are
judged by their bearer token).
"""

import os
from urllib.parse import urlsplit

from flask import current_app, jsonify, render_template, request

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
HOSTS_ENV = "TESSERA_WALLET_HOSTS"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SAME_SITE = ("same-origin", "none")
CROSS_SITE = "Changes to the wallet are accepted only from the wallet's own pages."


def host_name(value):
    """Return the lower-case host name of a `Host` header or URL netloc, or None if malformed."""
    value = (value or "").strip()
    if not value or any(c in value for c in "/\\@?# \t"):
        return None
    if value.count(":") > 1 and not value.startswith("["):
        value = f"[{value}]"  # a bare IPv6 address, as configured
    try:
        parts = urlsplit("//" + value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        name = parts.hostname
    except ValueError:
        return None
    return name.rstrip(".") if name else None


def allowed_hosts(extra=(), environ=None):
    """Return the host names the wallet answers: loopback, $TESSERA_WALLET_HOSTS and `extra`."""
    environ = os.environ if environ is None else environ
    configured = [h for h in environ.get(HOSTS_ENV, "").split(",") if h.strip()]
    names = [host_name(h) for h in (*LOOPBACK_HOSTS, *configured, *extra)]
    return tuple(dict.fromkeys(n for n in names if n))


def _refuse(status, message):
    if request.path.startswith(("/api/", "/live/")):
        kind = "Forbidden" if status == 403 else "BadHost"
        return jsonify({"error": kind, "message": message}), status
    return render_template("error.html", message=message, status=status), status


def check_request():
    """Refuse a request for an unknown host name (400) or a cross-site change (403)."""
    hosts = current_app.config["WALLET_HOSTS"]
    if host_name(request.headers.get("Host", "")) not in hosts:
        return _refuse(400, "This wallet does not answer to that host name.")
    if request.method in SAFE_METHODS:
        return None
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in SAME_SITE:
        return _refuse(403, CROSS_SITE)
    origin = (request.headers.get("Origin") or "").strip()
    if origin.lower() == "null":
        # Browsers send "null" for the wallet's own forms (Referrer-Policy: no-referrer):
        # accepted only when the browser also says the request is same-origin.
        return None if site is not None else _refuse(403, CROSS_SITE)
    if origin and not _same_origin(origin):
        return _refuse(403, CROSS_SITE)
    return None


def _same_origin(origin):
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = request.headers.get("Host", "")
    given = host_name(host)
    try:
        host_port = urlsplit("//" + host.strip()).port
    except ValueError:
        return False
    default = 443 if parts.scheme == "https" else 80
    return parts.hostname.rstrip(".") == given and (port or default) == (host_port or default)
