"""Pages both consoles share: login, logout, connections and invitations."""

from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from ..flows import connect
from ..holder.errors import TooManyAttempts
from . import auth

bp = Blueprint("common", __name__)
MAX_ALIAS = 80


def agent():
    """Return the firm's own `Agent`."""
    return current_app.extensions["tessera"]["agent"]


def schemas():
    """Return the credential schemas by name."""
    return current_app.extensions["tessera"]["schemas"]


def qr_data_uri(text):
    """Return an SVG QR code of `text` as a data: URI (allowed by the console's CSP).

    Returns None when `text` is too long for any QR code (a connectionless request
    trusting several credential definitions can be): the page then offers the link only.
    Error correction starts at L (segno raises it when the symbol has room), so the
    longest links (did:webvh ids are long) still fit.
    """
    try:
        return segno.make(text, error="l").svg_data_uri(scale=4, border=2)
    except segno.DataOverflowError:
        return None


def connections():
    """Return the agent's connections (`Connection`s), newest first."""
    found = connect.connections(agent(), limit=200)
    return sorted(found, key=lambda c: c.created_at, reverse=True)


def safe_next(target):
    """Return `target` when it is a path on this site, else None (no `//host`, `/\\host`, tabs)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(c.isspace() or c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target):
        return None  # browsers drop tabs and newlines: "/\t/evil" becomes "//evil"
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Ask for the console password; wrong ones are slowed down per client and for all."""
    error = ""
    if request.method == "POST":
        client = request.remote_addr or ""
        backoff = auth.login_backoff()
        try:
            backoff.check(client)
        except TooManyAttempts as exc:
            page = render_template("common/login.html", error=str(exc))
            return page, 429, {"Retry-After": str(exc.retry_after)}
        if auth.check_password(request.form.get("password", "")):
            backoff.success(client)
            auth.log_in()
            return redirect(safe_next(request.args.get("next")) or url_for("common.home"))
        backoff.failure(client)
        error = "Wrong console password. It was printed when the console started."
    status = 401 if error else 200
    return render_template("common/login.html", error=error), status


@bp.post("/logout")
def logout():
    """End the session."""
    auth.session.clear()
    return redirect(url_for("common.login"))


@bp.get("/")
def home():
    """Open the role's main page."""
    return redirect(url_for(f"{current_app.config['ROLE']}.index"))


@bp.get("/connections")
def connections_page():
    """List the agent's connections."""
    return render_template("common/connections.html", connections=connections())


@bp.post("/connections/invite")
def invite():
    """Create an invitation for a person's wallet; show it as a link and a QR code."""
    alias = request.form.get("alias", "").strip()[:MAX_ALIAS] or None
    created = connect.create_invitation(agent(), alias=alias)
    url = created["invitation_url"]
    return render_template("common/invitation.html", url=url, qr=qr_data_uri(url), alias=alias)
