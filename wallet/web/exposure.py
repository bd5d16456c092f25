"""The exposure map (/exposure): what each firm holds, for how long; a breach; retention ends."""

from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..errors import InputError
from ..holder import exposure
from . import chart
from .context import agent, schemas, service

bp = Blueprint("exposure", __name__, url_prefix="/exposure")
MAX_FIRM = 200


def _now():
    return current_app.config["WALL_CLOCK"]()


def labels():
    """Return {attribute name: display label} from the schemas."""
    return {a.name: a.label for s in schemas().values() for a in s.attributes}


def timeline_chart(points):
    """Lay out [(month, count)] as bars with the earnings chart's drawing."""
    rows = [(month, Decimal(count), Decimal(0), str(count)) for month, count in points]
    laid = chart.bars(rows)
    return laid, chart.height(laid)


def firm_arg(value):
    """Return a firm name from a form or query, or raise `InputError`."""
    firm = (value or "").strip()
    if not firm or len(firm) > MAX_FIRM:
        raise InputError("Say which firm was breached: pick one from the exposure map.")
    return firm


@bp.get("/")
def index():
    """Show the map: per attribute, per firm, what proofs saved, retention ended, the chart."""
    holder = agent()
    found = exposure.build(service(), holder, schemas(), _now())
    if found.warning:
        flash(found.warning)
    bars, height = timeline_chart(found.timeline)
    return render_template(
        "exposure/index.html",
        map=found,
        values=exposure.values(holder, found.disclosures),
        labels=labels(),
        bars=bars,
        height=height,
        width=chart.WIDTH,
        bar_height=chart.BAR_HEIGHT,
        label_width=chart.LABEL,
    )


@bp.get("/breach")
def breach():
    """Show what a breach at one firm exposed, what it enables, and whom to ask to erase."""
    holder = agent()
    firm = firm_arg(request.args.get("firm"))
    now = _now()
    found, _ = exposure.disclosures(service(), holder, schemas(), now)
    plan = exposure.breach_plan(service(), holder, schemas(), firm, now, found)
    return render_template(
        "exposure/breach.html",
        plan=plan,
        values=exposure.values(holder, found),
        labels=labels(),
    )


@bp.post("/breach")
def report_breach():
    """Send the erasure requests the person chose, record the breach in history."""
    firm = firm_arg(request.form.get("firm"))
    chosen = request.form.getlist("receipt_id")
    plan, outcome = exposure.report_breach(service(), schemas(), firm, chosen, _now())
    sent = [t.firm for t in plan.targets if any(outcome.get(r) == "" for r in t.receipt_ids)]
    failed = [f"{rid}: {why}" for rid, why in outcome.items() if why]
    flash(
        f"Recorded in your history: {firm} was breached. "
        + (f"Erasure asked of: {', '.join(sent)}." if sent else "No erasure request was sent.")
    )
    for line in failed:
        flash(f"Not sent: {line}")
    return redirect(url_for("exposure.index"))


@bp.post("/erase/<receipt_id>")
def erase(receipt_id):
    """One click: ask a firm whose retention ended to erase what the receipt covers."""
    exposure.erase(service(), receipt_id, _now())
    flash("Erasure requested. The firm must acknowledge it within a month.")
    return redirect(url_for("exposure.index"))
