"""The disclosure history page: every presentation sent or declined, newest first."""

from flask import Blueprint, flash, render_template, request

from ..durable import CorruptFile
from ..holder import receipt_book
from .context import service

bp = Blueprint("history", __name__, url_prefix="/history")


PAGE_SIZE = 100


@bp.route("/")
def index():
    """Show the history a page at a time, newest first, each answer linked to its receipt."""
    entries = list(reversed(service().history.entries()))
    for notice in service().history.take_notices():  # a half-written last line set aside
        flash(notice)
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    shown = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    try:
        links = receipt_book.links(service().data_dir)
    except CorruptFile as exc:
        flash(str(exc))
        links = {}
    receipts = [links.get(receipt_book.entry_key(e)) for e in shown]
    return render_template(
        "history/index.html",
        rows=list(zip(shown, receipts, strict=True)),
        page=page,
        pages=pages,
        total=len(entries),
    )
