"""One handler mapping Tessera's errors (and bad CSRF tokens) to console pages."""

import logging

from flask import current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import (
    AgentError,
    ConfigError,
    FlowError,
    InputError,
    NotFound,
    RegistryError,
    WaitTimeout,
    WalletError,
    public_message,
)

log = logging.getLogger(__name__)

STATUS = (
    (NotFound, 404),
    (InputError, 400),
    (FlowError, 409),
    (AgentError, 502),
    (WaitTimeout, 504),
    (RegistryError, 502),
    (ConfigError, 500),
)


def status_of(exc):
    """Return the HTTP status for a `WalletError`."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def _wallet_error(exc):
    status = status_of(exc)
    if status >= 500:
        log.warning("Console error: %s", exc)
    agent = current_app.extensions["tessera"]["agent"]
    message = public_message(exc, hide=(getattr(agent.admin, "base_url", ""),))
    return render_template("common/error.html", message=message, status=status), status


def _csrf_error(exc):
    message = "The form expired or did not come from this console; reload the page and retry."
    return render_template("common/error.html", message=message, status=400), 400


HTTP_WORDS = {
    404: "There is no such page in this console; it may have moved.",
    405: "This page cannot be opened that way; go back and use its buttons.",
}


def _http_error(exc):
    """Answer Flask's own errors (unknown page, wrong method) as a console page."""
    message = HTTP_WORDS.get(exc.code, exc.description)
    return render_template("common/error.html", message=message, status=exc.code), exc.code


def init_app(app):
    """Register the handlers."""
    app.register_error_handler(WalletError, _wallet_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
