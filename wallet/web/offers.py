"""Credential offers: read issuer, labels and every value, then accept or decline."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..holder import actions, records
from .context import agent, schemas, waiting

bp = Blueprint("offers", __name__, url_prefix="/offers")


@bp.route("/")
def index():
    """List pending offers."""
    found = records.offers(agent(), schemas(), waiting())
    return render_template("offers/index.html", offers=found)


@bp.route("/<cred_ex_id>")
def show(cred_ex_id):
    """Show one offer in full."""
    offer = records.offer(agent(), schemas(), cred_ex_id)
    return render_template("offers/show.html", offer=offer)


@bp.route("/<cred_ex_id>/accept", methods=["POST"])
def accept(cred_ex_id):
    """Accept an offer; the credential is stored."""
    cred_id = actions.accept_offer(agent(), schemas(), cred_ex_id)
    flash("Credential stored in your wallet.")
    return redirect(url_for("credentials.show", cred_id=cred_id))


@bp.route("/<cred_ex_id>/decline", methods=["POST"])
def decline(cred_ex_id):
    """Decline an offer."""
    actions.decline_offer(agent(), schemas(), cred_ex_id, request.form.get("reason", ""))
    flash("Offer declined.")
    return redirect(url_for("offers.index"))
