"""Settings: create and revoke API bearer tokens."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..errors import InputError
from .context import tokens

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.route("/")
def index():
    """List tokens."""
    return render_template("settings/index.html", tokens=tokens().list())


@bp.route("/tokens", methods=["POST"])
def create():
    """Create a token and show it once."""
    try:
        token_id, token = tokens().create(request.form.get("name", ""))
    except InputError as exc:
        return render_template("settings/index.html", tokens=tokens().list(), error=str(exc)), 400
    return render_template(
        "settings/index.html", tokens=tokens().list(), new_token=token, new_id=token_id
    )


@bp.route("/tokens/<token_id>/revoke", methods=["POST"])
def revoke(token_id):
    """Revoke a token."""
    tokens().revoke(token_id)
    flash("Token revoked.")
    return redirect(url_for("settings.index"))
