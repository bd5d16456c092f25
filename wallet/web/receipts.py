"""Consent receipts and erasure: the list (with erasure state), one receipt, its JSON file."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for

from ..holder import receipt_book, records
from .context import agent, service

bp = Blueprint("receipts", __name__, url_prefix="/receipts")


def _now():
    from flask import current_app

    return current_app.config["WALL_CLOCK"]()


@bp.get("/")
def index():
    """List the receipts: firm, purpose, price, signatures, erasure asked/acknowledged/overdue."""
    holder = agent()
    labels = records.connection_labels(holder)
    rows = [
        (r, labels.get(r.connection_id, "(unknown firm)"))
        for r in receipt_book.held(holder, _now())
    ]
    return render_template("receipts/index.html", rows=rows)


@bp.get("/<receipt_id>")
def show(receipt_id):
    """Show one receipt's fields and the status of both signatures."""
    holder = agent()
    row = receipt_book.one(holder, receipt_id, _now())
    who = records.connection_labels(holder).get(row.connection_id, "(unknown firm)")
    status = {p: receipt_book.signature_status(row.receipt, p) for p in ("holder", "firm")}
    return render_template("receipts/show.html", row=row, r=row.receipt, who=who, status=status)


@bp.get("/<receipt_id>.json")
def download(receipt_id):
    """Download the receipt as JSON (check it with `tessera receipt verify FILE`)."""
    row = receipt_book.one(agent(), receipt_id, _now())
    body = json.dumps(row.receipt, indent=2, sort_keys=True) + "\n"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="receipt-{receipt_id}.json"'},
    )


@bp.post("/<receipt_id>/erase")
def erase(receipt_id):
    """Ask the firm to erase what this receipt covers (a signed erasure request)."""
    receipt_book.request_erasure(agent(), service().data_dir, receipt_id, _now())
    flash("Erasure requested. The firm must acknowledge it within a month.")
    return redirect(url_for("receipts.index"))
