"""Stored credentials: list, detail with display labels, delete after confirmation."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from . import actions, records
from .context import agent, schemas

bp = Blueprint("credentials", __name__, url_prefix="/credentials")


@bp.route("/")
def index():
    """List credentials with issuer, type and date."""
    found = records.credentials(agent(), schemas())
    return render_template("credentials/index.html", credentials=found)


@bp.route("/<cred_id>")
def show(cred_id):
    """Show every attribute of one credential under its label."""
    cred = records.credential(agent(), schemas(), cred_id)
    return render_template("credentials/show.html", cred=cred)


@bp.route("/<cred_id>/delete", methods=["GET", "POST"])
def delete(cred_id):
    """Ask for confirmation (GET), then delete (POST)."""
    cred = records.credential(agent(), schemas(), cred_id)
    if request.method == "POST":
        actions.delete_credential(agent(), cred_id)
        flash(f"{cred.schema_label} from {cred.issuer} deleted.")
        return redirect(url_for("credentials.index"))
    return render_template("credentials/delete.html", cred=cred)
