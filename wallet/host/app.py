"""The hosted web face: sign-up, login and logout, then each person's own wallet app.

`create_host_app(instance)` returns a WSGI app. Requests for `/signup`, `/login`,
`/logout`, `/host/...` and `/static/...` go to the host's own Flask app; every other
request goes to the wallet app of the person its signed session cookie names, if their
wallet is open on this instance (the single-person wallet's own app, unchanged: pages
and JSON API). `/api/...` requests are routed by their bearer token. A person whose
wallet is open on another instance is told so (409, with the instance's name) instead
of being logged out; nobody reaches anybody else's wallet app.
"""

import hashlib
import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from itsdangerous import BadSignature
from werkzeug.http import parse_cookie
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from ..errors import InputError, WalletError
from ..holder.tokens import PREFIX, TokenStore
from ..web import create_app
from ..web.errors import status_of
from .db import create_person_database, drop_person_database
from .errors import Busy, HostError
from .ratelimit import limiter_for

LOG = logging.getLogger("tessera.host")
HOST_PATHS = ("/signup", "/login", "/logout", "/host/", "/static/", "/lock", "/unlock", "/setup")
STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
UPLOAD_MAX = 1 << 30

bp = Blueprint("host", __name__)
csrf = CSRFProtect()


def _instance():
    from flask import current_app

    return current_app.extensions["host_instance"]


def create_host_app(instance, config=None):
    """Build the hosted WSGI app over a started `Instance`."""
    app = Flask(__name__, static_folder=str(STATIC))
    app.config.update(
        SECRET_KEY=instance.config.secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_REFRESH_EACH_REQUEST=True,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        RATE_LIMITS={"signup": "5 per minute;30 per hour", "login": "10 per minute;100 per hour"},
    )
    app.config.update(config or {})
    if instance.config.trusted_proxies:  # the client's address as the load balancer saw it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=instance.config.trusted_proxies)
    app.permanent_session_lifetime = instance.config.idle_timeout
    app.extensions["host_instance"] = instance
    csrf.init_app(app)
    app.register_blueprint(bp)
    limiter = limiter_for(app, instance.db)
    for endpoint, kind in (
        ("host.signup", "signup"),
        ("host.signup_restore", "signup"),
        ("host.login", "login"),
    ):
        rule = limiter.limit(lambda kind=kind: app.config["RATE_LIMITS"][kind], methods=["POST"])
        app.view_functions[endpoint] = rule(app.view_functions[endpoint])
    app.register_error_handler(WalletError, _error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(429, _too_many)
    app.after_request(_headers)
    instance.app_factory = _wallet_app(app)
    instance.dispatcher = Dispatcher(instance, app)
    return instance.dispatcher


def _wallet_app(host_app):
    def build(instance, person):
        service = person.service
        app = create_app(
            {
                "HOLDER_SERVICE": service,
                "SETTINGS": service.settings,
                "SECRET_KEY": host_app.config["SECRET_KEY"],
                "SCHEMAS": instance.schemas,
                "IDLE_TIMEOUT": instance.config.idle_timeout,
                "WALL_CLOCK": instance.wall_clock,
                "RESTORE_MAX_BYTES": 0,
                # The host's public names: its inbox's, and $TESSERA_WALLET_HOSTS (#14.1).
                "WALLET_HOSTS": [urlsplit(instance.config.public_inbox_url).hostname or ""],
            }
        )
        app.extensions["tokens"] = IndexedTokenStore(
            Path(service.data_dir) / "api-tokens.json",
            instance.db,
            person.account.id,
            clock=instance.wall_clock,
        )
        app.register_error_handler(HostError, _error)
        return app

    return build


class IndexedTokenStore(TokenStore):
    """API tokens as today, plus each token's hash mapped to its account (to route API calls)."""

    def __init__(self, path, db, account_id, clock):
        """Keep the tokens in the person's vault; index their hashes in `api_tokens`."""
        super().__init__(path, clock=clock)
        self.db = db
        self.account_id = account_id

    def create(self, name):
        """Create a token and index its hash."""
        token_id, token = super().create(name)
        self.db.run(
            "INSERT INTO api_tokens (hash, account) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (token_hash(token), self.account_id),
        )
        return token_id, token

    def revoke(self, token_id):
        """Revoke a token and drop its hash from the index."""
        hashes = [t["hash"] for t in self._read() if t["id"] == token_id]
        super().revoke(token_id)
        for digest in hashes:
            self.db.run("DELETE FROM api_tokens WHERE hash = %s", (digest,))


def token_hash(token):
    """Return what the index keeps of a token (as `TokenStore` does)."""
    return hashlib.sha256(token.encode()).hexdigest()


def index_tokens(db, account_id, items):
    """Index the hashes of tokens brought in by an import."""
    for item in items:
        db.run(
            "INSERT INTO api_tokens (hash, account) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (item["hash"], account_id),
        )


# Host pages


def _start_session(person, sid):
    session.clear()
    session.permanent = True
    session["account"] = person.account.id
    session["sid"] = sid
    problem = person.service.inbox_problem
    if problem:
        flash(problem)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create an account and its wallet."""
    if request.method == "GET":
        return render_template("signup.html")
    instance = _instance()
    name = request.form.get("name", "")
    try:
        person, sid = new_account(
            instance, name, request.form.get("passphrase", ""), request.form.get("confirm", "")
        )
    except InputError as exc:
        return render_template("signup.html", error=str(exc), name=name), 400
    _start_session(person, sid)
    return redirect("/")


def new_account(instance, name, passphrase, confirm, prepare=None):
    """Create an account, its database and its wallet; undo it all if a step fails."""
    from .moving import provision_store

    people, starting, cap = instance.load()
    if people + starting >= cap:  # before any work; open() admits again, race-free
        raise Busy()
    opened = instance.accounts.create(name, passphrase, confirm)
    try:
        create_person_database(instance.db, opened.account.db_name)
        if prepare is None:
            provision_store(instance.config, opened.account.db_name, passphrase)
        person, sid = instance.open(opened, passphrase, create=prepare is None, prepare=prepare)
    except BaseException:
        try:
            drop_person_database(instance.db, opened.account.db_name)
        finally:
            instance.accounts.remove(opened.account)
        raise
    instance.accounts.mark_ready(opened.account)
    return person, sid


@bp.route("/signup/restore", methods=["POST"])
def signup_restore():
    """Create an account from a Tessera backup (own machine or another service)."""
    from .moving import import_backup

    instance = _instance()
    upload = request.files.get("backup")
    if upload is None or not upload.filename:
        return render_template("signup.html", restore_error="Choose the backup file."), 400
    folder = Path(tempfile.mkdtemp(prefix=".tmp-upload-", dir=instance.config.instance_dir))
    source = folder / "backup.tessera"
    try:
        upload.save(source)
        person, sid, notes = import_backup(
            instance,
            request.form.get("name", ""),
            request.form.get("passphrase", ""),
            source,
            request.form.get("backup_passphrase", ""),
        )
    except InputError as exc:
        message = str(exc).replace(str(source), "the backup file")
        return render_template("signup.html", restore_error=message), 400
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _start_session(person, sid)
    flash("Your wallet was brought in from the backup.")
    for note in notes:
        flash(note)
    return redirect("/")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in: the passphrase opens the wallet and its agent starts."""
    if request.method == "GET":
        return render_template("login.html")
    instance = _instance()
    name = request.form.get("name", "")
    try:
        opened = instance.accounts.open(name, request.form.get("passphrase", ""))
        person, sid = instance.open(opened, request.form.get("passphrase", ""))
    except InputError as exc:
        return render_template("login.html", error=str(exc), name=name), 401
    _start_session(person, sid)
    return redirect("/")


@bp.route("/logout", methods=["POST"])
@bp.route("/lock", methods=["POST"])
def logout():
    """Log out: the wallet locks (agent stopped), the lease is given back."""
    account_id = session.get("account")
    instance = _instance()
    person = instance.person(account_id) if account_id else None
    if person is not None and person.service.session.session_id == session.get("sid"):
        instance.close(account_id)
    session.clear()
    flash("You are logged out; your wallet is locked.")
    return redirect(url_for("host.login"))


@bp.route("/unlock")
@bp.route("/setup")
def to_login():
    """The single-person wallet's unlock and setup pages: log in instead."""
    return redirect(url_for("host.login"))


@bp.route("/host/status")
def status():
    """This instance's load (for a load balancer's health check); nothing about anyone."""
    people, starting, cap = _instance().load()
    return jsonify(
        {
            "instance": _instance().config.instance,
            "people": people,
            "starting": starting,
            "cap": cap,
        }
    )


def _headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _status(error):
    return getattr(error, "status", None) or status_of(error)


def _error(error):
    status = _status(error)
    headers = {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    if request.path.startswith(("/api/", "/live/")):
        return jsonify({"error": type(error).__name__, "message": str(error)}), status, headers
    return render_template_any("error.html", message=str(error), status=status), status, headers


def render_template_any(name, **context):
    """Render with the current app's templates (the host's or a person's wallet app)."""
    return render_template(name, **context)


def _csrf_error(error):
    message = "The form expired or did not come from this service; reload the page and try again."
    return render_template("error.html", message=message, status=400), 400


def _too_many(error):
    message = "Too many attempts from here; wait a minute and try again."
    return render_template("error.html", message=message, status=429), 429, {"Retry-After": "60"}


class Dispatcher:
    """WSGI: host pages to the host app, everything else to the right person's wallet app."""

    def __init__(self, instance, host_app):
        """Route between `host_app` and the wallet apps of the people open on `instance`."""
        self.instance = instance
        self.host_app = host_app
        self._cookie = host_app.config.get("SESSION_COOKIE_NAME", "session")

    def __call__(self, environ, start_response):
        """Dispatch one request."""
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(HOST_PATHS):
            return self.host_app(environ, start_response)
        if path.startswith("/api/"):
            return self._api(environ, start_response)
        account_id = self.account(environ)
        person = self.instance.person(account_id) if account_id else None
        if person is None:
            return self._not_here(account_id, path)(environ, start_response)
        return self._through(person, environ, start_response)

    def account(self, environ):
        """Return the account id the request's signed session cookie names, or None."""
        value = parse_cookie(environ).get(self._cookie)
        if not value:
            return None
        serializer = self.host_app.session_interface.get_signing_serializer(self.host_app)
        try:
            data = serializer.loads(
                value, max_age=int(self.host_app.permanent_session_lifetime.total_seconds())
            )
        except BadSignature:
            return None
        account = data.get("account") if isinstance(data, dict) else None
        return account if isinstance(account, str) else None

    def _elsewhere(self, account_id):
        try:
            holder = self.instance.leases.holder(account_id)
        except HostError:
            return None
        if holder is not None and holder.instance != self.instance.config.instance:
            return holder
        return None

    def _not_here(self, account_id, path):
        holder = self._elsewhere(account_id) if account_id else None
        if holder is not None:
            message = (
                "Your wallet is open on another server of this service "
                f"({holder.instance}); your browser was sent here by mistake. Reload in a "
                "moment, or log in again to open it here."
            )
            return self._answer(
                path, 409, "OpenElsewhere", message, {"X-Tessera-Instance": holder.instance}
            )
        if path.startswith("/live/"):
            return self._answer(path, 401, "LoggedOut", "You are logged out; log in again.")
        return Response(status=302, headers={"Location": "/login"})

    def _answer(self, path, status, kind, message, headers=None):
        if path.startswith(("/api/", "/live/")):
            import json

            body = json.dumps({"error": kind, "message": message})
            return Response(body, status=status, mimetype="application/json", headers=headers)
        with self.host_app.test_request_context(path):
            html = render_template("error.html", message=message, status=status)
        return Response(html, status=status, mimetype="text/html", headers=headers)

    def _api(self, environ, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        account_id = None
        if scheme.lower() == "bearer" and token.startswith(PREFIX):
            try:
                row = self.instance.db.one(
                    "SELECT account FROM api_tokens WHERE hash = %s", (token_hash(token),)
                )
            except HostError as exc:
                return self._answer("/api/", exc.status, type(exc).__name__, str(exc))(
                    environ, start_response
                )
            account_id = row[0] if row else None
        if account_id is None:
            return self._answer(
                "/api/",
                401,
                "Unauthorized",
                "Missing or revoked API token: create one on the wallet's Settings page and "
                "send it as 'Authorization: Bearer <token>'.",
            )(environ, start_response)
        person = self.instance.person(account_id)
        if person is None:
            holder = self._elsewhere(account_id)
            if holder is not None:
                return self._answer(
                    "/api/",
                    421,
                    "OpenElsewhere",
                    f"This wallet is open on another server of this service ({holder.instance}); "
                    "send the request there.",
                    {"X-Tessera-Instance": holder.instance},
                )(environ, start_response)
            return self._answer(
                "/api/",
                423,
                "Locked",
                "The wallet is locked: log in on the web to unlock it; the API works while you "
                "are logged in.",
            )(environ, start_response)
        return self._through(person, environ, start_response)

    def _through(self, person, environ, start_response):
        result = person.app(environ, start_response)
        if not person.service.unlocked:  # it locked itself (idle) during this request
            self.instance.close(person.account.id, "locked")
        return result
