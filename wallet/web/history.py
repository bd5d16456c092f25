"""The disclosure history page: every presentation sent or declined, newest first."""

from dataclasses import dataclass

from flask import Blueprint, flash, render_template, request

from ..durable import CorruptFile
from ..holder import receipt_book, records
from .context import schemas, service

bp = Blueprint("history", __name__, url_prefix="/history")


PAGE_SIZE = 100


@dataclass(frozen=True)
class Row:
    """One history entry as the page shows it: labels for names, credentials apart from ids."""

    entry: object
    receipt_id: str | None
    revealed: list
    credentials: list
    credential_ids: list


def _credential(text):
    """Split "National ID (cred-1)" into ("National ID", "cred-1"); no id: ("...", "")."""
    label, paren, rest = str(text).rpartition(" (")
    if paren and rest.endswith(")"):
        return label, rest[:-1]
    return str(text), ""


def row(entry, receipt_id, labels):
    """Return the `Row` of a history entry, attribute names shown by their labels."""
    named = [_credential(c) for c in entry.credentials]
    return Row(
        entry,
        receipt_id,
        [labels.get(n) or records.label_of(n, None) for n in entry.revealed] + entry.self_attested,
        list(dict.fromkeys(label for label, _ in named)),
        [cred_id for _, cred_id in named if cred_id],
    )


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
    labels = {a.name: a.label for s in schemas().values() for a in s.attributes}
    return render_template(
        "history/index.html",
        rows=[row(e, links.get(receipt_book.entry_key(e)), labels) for e in shown],
        page=page,
        pages=pages,
        total=len(entries),
    )
