"""First run, unlock and lock: the passphrase is the wallet key; the agent runs while unlocked.

The unlock screen says how many messages from firms wait in the inbox (or that the
inbox is down and nothing can be queued while the wallet is locked). First run offers
to restore the wallet from a backup file instead of starting an empty one.
"""

import shutil
import tempfile
from pathlib import Path, PurePath

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..backup.errors import BackupError
from ..errors import InputError
from ..holder.errors import TooManyAttempts
from ..secrets import ensure_private_dir
from .context import service

bp = Blueprint("auth", __name__)
RESTORE_MAX_BYTES = 1 << 30  # an upload limit of its own: backups hold the whole wallet


@bp.url_value_preprocessor
def _upload_limit(endpoint, values):
    # Runs before the CSRF check reads the form, which is when the body limit applies.
    if endpoint == "auth.restore":
        request.max_content_length = current_app.config.get("RESTORE_MAX_BYTES", RESTORE_MAX_BYTES)


def _start_session(sid):
    session.clear()
    session.permanent = True
    session["sid"] = sid
    problem = service().inbox_problem
    if problem:
        flash(problem)


def _this_session_unlocked(holder):
    """Return True when this browser's session is the one the wallet is unlocked for."""
    return holder.unlocked and session.get("sid") == holder.session.session_id


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
        flash(
            "Your wallet is ready. Next, connect to a firm: paste the invitation link it gave "
            "you, or upload its QR code. Its offers and requests then appear in your wallet."
        )
        return redirect(url_for("connections.index"))
    return render_template("auth/setup.html")


@bp.route("/unlock", methods=["GET", "POST"])
def unlock():
    """Unlock with the passphrase: starts the holder agent."""
    holder = service()
    if holder.first_run:
        return redirect(url_for("auth.setup"))
    if _this_session_unlocked(holder):
        flash("Your wallet is already unlocked.")
        return redirect(url_for("requests.index"))
    if request.method == "POST":
        try:
            sid = holder.unlock(request.form.get("passphrase", ""), request.remote_addr or "")
        except InputError as exc:
            return _unlock_page(str(exc)), 401
        except TooManyAttempts as exc:
            return _unlock_page(str(exc)), 429, {"Retry-After": str(exc.retry_after)}
        _start_session(sid)
        if holder.backups.paused:
            flash("Automatic backups are paused until you type your passphrases on Backups.")
        return redirect(url_for("requests.index"))
    return _unlock_page()


def _setup_page(status=200, **extra):
    return render_template("auth/setup.html", **extra), status


@bp.route("/setup/restore", methods=["POST"])
def restore():
    """First run: restore the wallet from an uploaded backup file, then ask to unlock."""
    holder = service()
    if not holder.first_run:
        return redirect(url_for("auth.unlock"))
    upload = request.files.get("backup")
    if upload is None or not upload.filename:
        return _setup_page(400, restore_error="Choose the backup file (.tessera) to restore.")
    shown = f"“{PurePath(upload.filename.replace(chr(92), '/')).name}”"
    folder = Path(
        tempfile.mkdtemp(prefix=".tmp-upload-", dir=ensure_private_dir(holder.settings.home))
    )
    source = folder / "backup.tessera"
    try:
        upload.save(source)
        result = holder.restore(source, request.form.get("backup_passphrase", ""))
    except (InputError, BackupError) as exc:
        status = 400 if isinstance(exc, InputError) else 409
        return _setup_page(status, restore_error=str(exc).replace(str(source), shown))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    flash(
        f"Your wallet was restored from {shown} (backed up {result.manifest.get('created')}). "
        "Unlock it with the wallet passphrase it had then."
    )
    for warning in result.warnings:
        if not warning.startswith("Unlock the restored wallet"):
            flash(warning)
    if result.previous is not None:
        flash(f"What this wallet held before is kept in {result.previous}.")
    return redirect(url_for("auth.unlock"))


@bp.route("/lock", methods=["POST"])
def lock():
    """Lock the wallet: stops the holder agent and ends the session."""
    holder = service()
    if holder.unlocked and session.get("sid") == holder.session.session_id:
        holder.lock()
    session.clear()
    return redirect(url_for("auth.unlock"))
