"""The disclosure history page: every presentation sent or declined, newest first."""

from flask import Blueprint, render_template

from . import receipt_book
from .context import service

bp = Blueprint("history", __name__, url_prefix="/history")


@bp.route("/")
def index():
    """Show the history, each answer linked to its consent receipt when it has one."""
    entries = list(reversed(service().history.entries()))
    links = receipt_book.links(service())
    receipts = [links.get(receipt_book.entry_key(e)) for e in entries]
    return render_template("history/index.html", rows=list(zip(entries, receipts, strict=True)))
