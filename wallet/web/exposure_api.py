"""The exposure map in the JSON API (/api/v1/exposure), with the same bearer tokens."""

from flask import Blueprint, current_app, jsonify

from ..errors import InputError
from ..holder import exposure
from .api import _authorise, _body
from .context import agent, schemas, service
from .exposure import firm_arg

bp = Blueprint("exposure_api", __name__)
bp.before_request(_authorise)


def _when(moment):
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _disclosure(d, now):
    return {
        "when": _when(d.when),
        "revealed": list(d.revealed),
        "proven": list(d.proven),
        "receipt_id": d.receipt_id or None,
        "purpose": d.purpose or None,
        "retention": d.receipt["retention"] if d.receipt else None,
        "until": _when(d.until),
        "retention_ended": d.retention_ended(now),
        "onward_sharing": d.onward_sharing,
        "erasure": d.erasure_state,
        "erasable": d.erasable,
    }


def to_json(found):
    """Return the API form of an `ExposureMap` (names and labels; values are not included)."""
    now = found.now
    return {
        "now": _when(now),
        "firms": [
            {
                "firm": f.firm,
                "raw": list(f.raw),
                "proven_only": list(f.proven_only),
                "holds": list(f.holds(now)),
                "no_retention_limit": f.unlimited,
                "saved": f.saved,
                "disclosures": [_disclosure(d, now) for d in f.disclosures],
            }
            for f in found.firms
        ],
        "attributes": [
            {
                "name": a.name,
                "label": a.label,
                "sensitivity": a.sensitivity,
                "firms": list(a.firms),
                "no_retention_limit": list(a.unlimited),
                "score": a.score,
                "text": a.words,
            }
            for a in found.attributes
        ],
        "savings": {
            "would_hold": found.savings.would_hold,
            "holds": found.savings.holds,
            "saved": found.savings.saved,
            "per_firm": [
                {"firm": firm, "would_hold": would, "holds": holds}
                for firm, would, holds in found.savings.per_firm
            ],
            "text": found.savings.words,
        },
        "retention_ended": [
            {"firm": d.firm, "receipt_id": d.receipt_id, "erasable": d.erasable}
            for d in found.retention_ended
        ],
        "timeline": [{"month": m, "raw_values_held": n} for m, n in found.timeline],
        "warning": found.warning or None,
    }


def _now():
    return current_app.config["WALL_CLOCK"]()


@bp.get("/exposure")
def get_exposure():
    """The exposure map: per firm, per attribute, what proofs saved, retention, over time."""
    return jsonify(to_json(exposure.build(service(), agent(), schemas(), _now())))


@bp.post("/exposure/breach")
def post_breach():
    """Report a breach: {"firm": ..., "receipt_ids": [...] (default: the ones suggested)}."""
    body = _body()
    firm = firm_arg(body.get("firm") if isinstance(body.get("firm"), str) else "")
    chosen = body.get("receipt_ids")
    if chosen is not None and (
        not isinstance(chosen, list) or not all(isinstance(r, str) for r in chosen)
    ):
        raise InputError('"receipt_ids" must be a list of receipt ids, or left out.')
    plan, outcome = exposure.report_breach(service(), schemas(), firm, chosen, _now())
    return jsonify(
        {
            "firm": plan.firm,
            "exposed": list(plan.raw),
            "proven_only": list(plan.proven_only),
            "enables": list(plan.enables),
            "advice": list(plan.advice),
            "targets": [
                {
                    "firm": t.firm,
                    "shared": list(t.shared),
                    "receipt_ids": list(t.receipt_ids),
                    "past_need": t.past_need,
                }
                for t in plan.targets
            ],
            "erasure": {rid: (why or "sent") for rid, why in outcome.items()},
        }
    ), 201


@bp.post("/exposure/erase/<receipt_id>")
def post_erase(receipt_id):
    """Ask a firm whose retention ended to erase what a receipt covers."""
    return jsonify(exposure.erase(service(), receipt_id, _now())), 201
