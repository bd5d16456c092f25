"""Earnings (/earnings): what each firm owes per disclosure, totals per firm and month, CSV."""

from flask import Blueprint, Response, render_template

from ..earnings import ledger
from ..flows import receipts as flow
from ..holder import records
from . import chart
from .context import agent

bp = Blueprint("earnings", __name__, url_prefix="/earnings")


def report(holder):
    """Return (entries newest first, firm totals, month totals, {connection id: label})."""
    entries = sorted(flow.ledger(holder), key=lambda e: e.issued_at, reverse=True)
    labels = records.connection_labels(holder)
    return entries, ledger.totals_by_firm(entries), ledger.totals_by_month(entries), labels


def _chart(totals, name):
    rows = [
        (
            name(key),
            t["owed"].amount,
            t["paid"].amount,
            f"{t['owed'].amount + t['paid'].amount:f} {currency}",
        )
        for (key, currency), t in totals.items()
    ]
    laid = chart.bars(rows)
    return laid, chart.height(laid)


@bp.get("/")
def index():
    """Show the ledger, the totals as tables and a bar chart per month."""
    holder = agent()
    entries, by_firm, by_month, labels = report(holder)
    firm_of = {e.party: labels.get(e.connection_id, e.party) for e in entries}
    bars, height = _chart(by_month, lambda month: month)
    return render_template(
        "earnings/index.html",
        entries=entries,
        by_firm=by_firm,
        by_month=by_month,
        firm_of=firm_of,
        labels=labels,
        bars=bars,
        height=height,
        width=chart.WIDTH,
        bar_height=chart.BAR_HEIGHT,
        label_width=chart.LABEL,
    )


@bp.get("/export.csv")
def csv():
    """Download the ledger as CSV."""
    body = ledger.to_csv(flow.ledger(agent()))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="earnings.csv"'},
    )
