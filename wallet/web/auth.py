"""First run, unlock and lock: the passphrase is the wallet key; the agent runs while unlocked.

The unlock screen says how many messages from firms wait in the inbox (or that the
inbox is down and nothing can be queued while the wallet is locked).
"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from ..errors import InputError
from .context import service
from .errors import TooManyAttempts

bp = Blueprint("auth", __name__)


def _start_session(sid):
    session.clear()
    session.permanent = True
    session["sid"] = sid
    problem = service().inbox_problem
    if problem:
        flash(problem)


def _unlock_page(error=None):
    return render_template("auth/unlock.html", error=error, inbox=service().inbox_state())


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Choose the passphrase on first run."""
    holder = service()
    if not holder.first_run:
        return redirect(url_for("auth.unlock"))
    if request.method == "POST":
        try:
            sid = holder.setup(request.form.get("passphrase", ""), request.form.get("confirm", ""))
        except InputError as exc:
            return render_template("auth/setup.html", error=str(exc)), 400
        _start_session(sid)
        return redirect(url_for("requests.index"))
    return render_template("auth/setup.html")


@bp.route("/unlock", methods=["GET", "POST"])
def unlock():
    """Unlock with the passphrase: starts the holder agent."""
    holder = service()
    if holder.first_run:
        return redirect(url_for("auth.setup"))
    if request.method == "POST":
        try:
            sid = holder.unlock(request.form.get("passphrase", ""))
        except InputError as exc:
            return _unlock_page(str(exc)), 401
        except TooManyAttempts as exc:
            return _unlock_page(str(exc)), 429, {"Retry-After": str(exc.retry_after)}
        _start_session(sid)
        return redirect(url_for("requests.index"))
    return _unlock_page()


@bp.route("/lock", methods=["POST"])
def lock():
    """Lock the wallet: stops the holder agent and ends the session."""
    holder = service()
    if holder.unlocked and session.get("sid") == holder.session_id:
        holder.lock()
    session.clear()
    return redirect(url_for("auth.unlock"))
