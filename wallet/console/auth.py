"""Console login with a password from config, and the security headers of every answer."""

import hmac
import time

from flask import Response, current_app, redirect, request, session, url_for
from werkzeug.exceptions import SecurityError

from ..holder.backoff import Backoff, ClientBackoff

OPEN_ENDPOINTS = ("common.login", "static")
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def logged_in():
    """Return True when this browser session has logged in to this console."""
    return session.get("console") == current_app.config["ROLE"]


def check_password(given):
    """Return True when `given` is the console password (constant-time comparison)."""
    expected = current_app.config["CONSOLE_TOKEN"]
    return hmac.compare_digest(str(given).encode(), expected.encode())


def log_in():
    """Start a fresh session for this console."""
    session.clear()
    session["console"] = current_app.config["ROLE"]


def login_backoff():
    """Return the backoff slowing down wrong console passwords (per client and for all)."""
    return current_app.extensions["console_login_backoff"]


def _known_host():
    # An untrusted Host leaves Flask without a URL adapter: answer before anything
    # calls url_for (which would fail with a 500).
    if isinstance(request.routing_exception, SecurityError):
        return Response(
            "This console does not answer to that host name.\n", 400, mimetype="text/plain"
        )
    return None


def _require_login():
    if request.endpoint in OPEN_ENDPOINTS or logged_in():
        return None
    if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
        return {"error": "Log in to the console first."}, 401
    return redirect(url_for("common.login", next=request.path))


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    """Require login on every page but the login page, and add security headers.

    Config: MONOTONIC, the clock of the login backoff (default `time.monotonic`).
    """
    clock = app.config.get("MONOTONIC", time.monotonic)
    app.extensions["console_login_backoff"] = ClientBackoff(
        shared=Backoff(clock=clock, free=20), clock=clock, free=5
    )
    app.before_request(_known_host)
    app.before_request(_require_login)
    app.after_request(_headers)
