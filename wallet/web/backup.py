"""Backups from the wallet: download one now, and set up automatic backups into a folder.

"Back up now" asks for the wallet passphrase again (Askar needs it to copy the store;
the app does not keep it) and a backup passphrase twice. The encrypted file is written
into a private temporary folder, opened, unlinked and streamed: nothing stays on disk,
and nothing unencrypted is ever written. Automatic backups: see `autobackup`.
"""

import os
import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from ..backup.errors import BackupError
from ..backup.schedule import backups_in
from ..errors import InputError, WalletError, public_message
from ..holder.autobackup import parse_schedule
from ..holder.errors import TooManyAttempts
from ..secrets import ensure_private_dir
from .context import service

bp = Blueprint("backup", __name__, url_prefix="/backup")
DOWNLOAD_NAME = "tessera-backup-{:%Y%m%dT%H%M%SZ}.tessera"


def _status(error):
    if isinstance(error, TooManyAttempts):
        return 429
    return 400 if isinstance(error, InputError) else 500


def _page(status=200, **extra):
    holder = service()
    backups = holder.backups
    try:
        schedule = backups.load()
    except InputError as exc:
        schedule, extra["error"] = None, extra.get("error") or str(exc)
    recent = []
    if schedule is not None and Path(schedule.folder).is_dir():
        recent = [path.name for _, path in reversed(backups_in(schedule.folder))]
    page = render_template(
        "backup/index.html",
        schedule=schedule,
        armed=backups.armed,
        last_backup=backups.last_backup,
        last_error=backups.last_error,
        recent=recent,
        **extra,
    )
    return page, status


@bp.route("/")
def index():
    """Show the backup forms and the automatic backups' state."""
    return _page()


@bp.route("/download", methods=["POST"])
def download():
    """Write an encrypted backup and stream it as a download; no copy stays on disk."""
    holder = service()
    form = request.form
    passphrase = form.get("backup_passphrase", "")
    if passphrase != form.get("confirm", ""):
        return _page(400, error="The two backup passphrases differ; type the same one twice.")
    name = DOWNLOAD_NAME.format(holder.wall_clock())
    home = ensure_private_dir(holder.settings.home)
    folder = Path(tempfile.mkdtemp(prefix=".tmp-export-", dir=home))
    out = folder / name
    try:
        holder.export_backup(out, form.get("wallet_passphrase", ""), passphrase)
        handle = open(out, "rb")  # noqa: SIM115 - closed by the response
    except WalletError as exc:
        return _page(_status(exc), error=public_message(exc))
    finally:
        out.unlink(missing_ok=True)  # an open handle still reads it; the name is gone
        shutil.rmtree(folder, ignore_errors=True)
    response = send_file(
        handle,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=name,
        max_age=0,
    )
    response.headers["Content-Length"] = str(os.fstat(handle.fileno()).st_size)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/schedule", methods=["POST"])
def schedule():
    """Save the schedule and arm it for this unlock (both passphrases are checked)."""
    holder = service()
    form = request.form
    try:
        chosen = parse_schedule(
            form.get("folder"),
            form.get("keep", ""),
            form.get("every_hours", ""),
            holder.settings.role_dir("holder"),
        )
        holder.backups.turn_on(
            chosen,
            form.get("wallet_passphrase", ""),
            form.get("backup_passphrase", ""),
            form.get("confirm", ""),
        )
    except (InputError, BackupError) as exc:
        return _page(_status(exc), error=str(exc))
    flash(
        f"Automatic backups are on: every {chosen.every_hours} h into {chosen.folder}, keeping "
        f"the newest {chosen.keep}, while the wallet is unlocked."
    )
    return redirect(url_for("backup.index"))


@bp.route("/schedule/off", methods=["POST"])
def schedule_off():
    """Turn automatic backups off (the backups already made stay)."""
    service().backups.turn_off()
    flash("Automatic backups are off. The backups already made are kept.")
    return redirect(url_for("backup.index"))
