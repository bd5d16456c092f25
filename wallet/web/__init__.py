"""The person's wallet as a Flask app: pages and a JSON API over the holder agent."""

import datetime
import re
from pathlib import Path

from flask import Flask, g, jsonify, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ..errors import InputError, WalletError, public_message
from ..holder.service import TIMER_INTERVAL, HolderService
from ..holder.tokens import TokenStore
from ..schemas import load_all
from ..secrets import load_or_create
from ..settings import Settings, from_env
from .errors import agent_state, status_of
from .origin import allowed_hosts, check_request

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
PUBLIC = ("auth.", "static")


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


class _Sessions(SecureCookieSessionInterface):
    """The live long poll reads the session and never writes it back.

    Answered up to 20 s after it started, its copy of the cookie would overwrite the
    one the page's next request set, losing that page's message (the "Sent" line, a
    combining warning).
    """

    def should_set_cookie(self, app, session):
        """Set the cookie as Flask does, except on an unchanged session in the long poll."""
        if request.blueprint == "live" and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def create_app(test_config=None):
    """Build the wallet app; `test_config` may carry HOLDER_SERVICE, SCHEMAS, clocks, keys.

    WALLET_HOSTS: host names answered besides loopback and $TESSERA_WALLET_HOSTS.
    """
    config = dict(test_config or {})
    app = Flask(__name__)
    app.session_interface = _Sessions()
    settings = config.pop("SETTINGS", None) or _settings(config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_REFRESH_EACH_REQUEST=True,
        IDLE_TIMEOUT=900,
        WALL_CLOCK=_utcnow,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(config)
    app.config["WALLET_HOSTS"] = allowed_hosts(app.config.get("WALLET_HOSTS") or ())
    given = app.config.get("HOLDER_SERVICE")
    if given is not None and "WALL_CLOCK" not in config:
        app.config["WALL_CLOCK"] = given.wall_clock  # one clock for the pages and the service
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create(settings.secrets_dir, "wallet-web.secret-key")
    app.permanent_session_lifetime = datetime.timedelta(seconds=app.config["IDLE_TIMEOUT"])
    schemas = app.config.get("SCHEMAS") or load_all()
    service = app.config.get("HOLDER_SERVICE") or HolderService.for_settings(
        settings,
        idle_timeout=app.config["IDLE_TIMEOUT"],
        wall_clock=app.config["WALL_CLOCK"],
        timer_interval=app.config.get("TIMER_INTERVAL", TIMER_INTERVAL),
        schemas=schemas,
    )
    app.extensions["holder_service"] = service
    app.extensions["schemas"] = schemas
    app.extensions["tokens"] = TokenStore(
        Path(service.data_dir) / "api-tokens.json", clock=app.config["WALL_CLOCK"]
    )
    app.url_value_preprocessor(check_ids)
    app.before_request(check_request)  # first: before the CSRF check and the login guard
    csrf.init_app(app)
    _register(app)
    app.before_request(_guard)
    app.after_request(_headers)
    app.register_error_handler(WalletError, _wallet_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.context_processor(lambda: {"unlocked": service.unlocked})
    app.context_processor(lambda: agent_state(service))
    return app


def _settings(config):
    home = config.pop("TESSERA_HOME", None)
    offset = config.pop("PORT_OFFSET", None)
    if home is not None:
        return Settings(home=Path(home), port_offset=int(offset or 0))
    return from_env(port_offset=offset)


def _register(app):
    from . import api, auth, connections, credentials, history, live, offers, requests, settings

    for module in (auth, connections, offers, credentials, requests, history, settings, live):
        app.register_blueprint(module.bp)
    from . import earnings, pricing, receipts  # terms, prices, receipts, earnings, erasure

    for module in (pricing, receipts, earnings):
        app.register_blueprint(module.bp)
    from . import backup  # backups: download now, automatic backups

    app.register_blueprint(backup.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)
    from . import exposure, exposure_api  # the exposure map, its API and the breach action

    app.register_blueprint(exposure.bp)
    app.register_blueprint(exposure_api.bp, url_prefix="/api/v1")
    csrf.exempt(exposure_api.bp)
    app.add_url_rule("/", "index", lambda: redirect(url_for("requests.index")))
    from . import words  # dates, durations and purposes in words for every template

    words.register(app)


ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def check_ids(endpoint, values):
    """Refuse (400) a record id in the path that no agent or store could have made.

    The ids go into the agent's admin URLs: `..`, NUL or 10,000 characters must
    never reach it.
    """
    for name, value in (values or {}).items():
        if (name.endswith("_id") or name == "token") and not ID.fullmatch(str(value)):
            raise InputError("That is not a valid id: ids are letters, digits and . _ : -")


def service_of(app=None):
    """Return the app's `HolderService`."""
    from flask import current_app

    return (app or current_app).extensions["holder_service"]


def _guard():
    service = service_of()
    if service.expire_if_idle():
        session.clear()
    endpoint = request.endpoint or ""
    if endpoint.startswith(PUBLIC) or endpoint.startswith(("api.", "exposure_api.")):
        return None
    if not service.unlocked or session.get("sid") != service.session.session_id:
        target = "auth.setup" if service.first_run else "auth.unlock"
        return redirect(url_for(target))
    if not endpoint.startswith("live."):
        service.touch()
    g.agent = service.agent
    return None


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _shown(error):
    """Return the error's text for the person: never the agent's internal admin URL."""
    agent = service_of().agent
    return public_message(error, hide=(agent.admin.base_url,) if agent is not None else ())


def _wallet_error(error):
    status = status_of(error)
    message = _shown(error)
    if request.path.startswith(("/api/", "/live/")):
        body = {"error": type(error).__name__, "message": message}
        response = jsonify(body)
        response.status_code = status
        if hasattr(error, "retry_after"):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    return render_template("error.html", message=message, status=status), status


HTTP_WORDS = {
    404: ("Page not found", "There is no such page in your wallet; it may have moved."),
    405: ("Not allowed", "This page cannot be opened that way; go back and use its buttons."),
    413: ("Too large", "What you sent is too large for the wallet (at most 2 MB)."),
}


def _http_error(error):
    """Answer Flask's own errors (unknown page, wrong method, too large) in the wallet's words."""
    title, message = HTTP_WORDS.get(error.code, ("Something went wrong", error.description))
    if request.path.startswith(("/api/", "/live/")):
        response = jsonify({"error": type(error).__name__, "message": message})
        response.status_code = error.code
        return response
    return render_template("error.html", title=title, message=message), error.code


def _csrf_error(error):
    message = "The form expired or did not come from this wallet; reload the page and try again."
    if request.path.startswith("/api/"):
        return jsonify({"error": "CSRFError", "message": message}), 400
    return render_template("error.html", message=message, status=400), 400
