"""Stored credentials: list and detail with revocation status, check now, delete."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from ..errors import NotFound, WalletError, public_message
from ..holder import actions, records
from ..holder.revocation import view
from .context import agent, held, schemas, service

bp = Blueprint("credentials", __name__, url_prefix="/credentials")
QUIET = ("auth.", "static", "api.", "live.")


PAGE = 20


@bp.route("/")
def index():
    """List credentials newest first, a page at a time, with issuer, type, date and status."""
    holder = service()
    page = max(request.args.get("page", 1, type=int), 1)
    found, total = records.credentials_page(agent(), schemas(), held(), (page - 1) * PAGE, PAGE)
    status = holder.revocation.statuses(agent(), found)
    views = {c.cred_id: view(status.get(c.cred_id)) for c in found}
    return render_template(
        "credentials/index.html",
        credentials=found,
        views=views,
        problem=holder.revocation.last_error,
        page=page,
        total=total,
        first=(page - 1) * PAGE + 1,
        last=(page - 1) * PAGE + len(found),
        more=page * PAGE < total,
    )


@bp.route("/<cred_id>")
def show(cred_id):
    """Show every attribute of one credential under its label, and its status."""
    cred = records.credential(agent(), schemas(), held(), cred_id)
    status = service().revocation.statuses(agent(), [cred]).get(cred_id)
    return render_template("credentials/show.html", cred=cred, status=view(status))


@bp.post("/check")
def check_all():
    """Check every revocable credential's status now."""
    _check(None)
    return redirect(url_for("credentials.index"))


@bp.post("/<cred_id>/check")
def check_one(cred_id):
    """Check one credential's status now."""
    records.credential(agent(), schemas(), held(), cred_id)
    _check([cred_id])
    return redirect(url_for("credentials.show", cred_id=cred_id))


def _check(cred_ids):
    try:
        newly = service().revocation.check_now(agent(), cred_ids)
    except WalletError as exc:
        shown = public_message(exc, hide=(agent().admin.base_url,))
        flash(
            f"The status check did not finish ({shown}); nothing changed. Try again later.",
            "bad-news",
        )
        return
    if not newly:
        flash("Status checked just now: nothing was revoked since the last check.")


@bp.before_app_request
def tell_newly_revoked():
    """Flash, on the person's next page, every credential a check found newly revoked."""
    holder = service()
    endpoint = request.endpoint or ""
    if request.method != "GET" or endpoint.startswith(QUIET) or not holder.unlocked:
        return
    if session.get("sid") != holder.session.session_id or not holder.revocation.unseen:
        return
    for cred_id in holder.revocation.take_unseen():
        try:  # read by id: only the credentials the person is told about
            cred = records.credential(holder.require(), schemas(), holder.held, cred_id)
        except NotFound:
            continue
        flash(
            f"{cred.issuer} has revoked your {cred.schema_label} credential: it no longer "
            f"proves anything. Ask {cred.issuer} for a new one if you still need it.",
            "bad-news",
        )


@bp.route("/<cred_id>/delete", methods=["GET", "POST"])
def delete(cred_id):
    """Ask for confirmation (GET), then delete (POST)."""
    cred = records.credential(agent(), schemas(), held(), cred_id)
    if request.method == "POST":
        actions.delete_credential(agent(), cred_id, held())
        flash(f"{cred.schema_label} from {cred.issuer} deleted.")
        return redirect(url_for("credentials.index"))
    return render_template("credentials/delete.html", cred=cred)
