"""The disclosure history page: every presentation sent or declined, newest first."""

from flask import Blueprint, render_template

from .context import service

bp = Blueprint("history", __name__, url_prefix="/history")


@bp.route("/")
def index():
    """Show the history."""
    entries = list(reversed(service().history.entries()))
    return render_template("history/index.html", entries=entries)
