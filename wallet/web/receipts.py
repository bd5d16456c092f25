"""Consent receipts and erasure: the list (with erasure state), one receipt, its JSON file,
and asking a firm to erase (after a confirmation saying what and whom)."""

import json
from dataclasses import dataclass

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from ..durable import CorruptFile
from ..errors import InputError
from ..flows import held as stored
from ..holder import receipt_book, records
from ..holder.disclosure import predicate_sentence
from .context import agent, schemas, service, today

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


@dataclass(frozen=True)
class Shared:
    """One value a receipt says was revealed: its label, type, and the value in the wallet."""

    name: str
    label: str
    type: str
    value: str


def _attribute(name):
    """Return the schemas' `Attribute` called `name`, or None."""
    for schema in schemas().values():
        if name in schema.attr_names:
            return schema.attribute(name)
    return None


def _label(name):
    attr = _attribute(name)
    return attr.label if attr else records.label_of(name, None)


def _answering_credentials(receipt_id):
    """Return the credential ids the history says answered under this receipt (may be none)."""
    try:
        links = receipt_book.links(service().data_dir)
    except CorruptFile as exc:
        flash(str(exc))
        return []
    for entry in service().history.entries():
        if links.get(receipt_book.entry_key(entry)) == receipt_id:
            return [c.rsplit("(", 1)[-1].rstrip(")") for c in entry.credentials]
    return []


def shared_values(holder, receipt):
    """Return a `Shared` per revealed name, its value from the person's own credentials."""
    creds = {c["referent"]: c.get("attrs") or {} for c in stored.credentials(holder)}
    used = _answering_credentials(receipt["receipt_id"])
    shown = []
    for name in receipt["revealed_attributes"]:
        attr = _attribute(name)
        value = next((str(creds[c][name]) for c in (*used, *creds) if name in creds.get(c, {})), "")
        shown.append(Shared(name, _label(name), attr.type if attr else "", value))
    return shown


def proven_facts(receipt, day):
    """Return each predicate of a receipt as a sentence ("Proves you are at least 18; ...")."""
    facts = []
    for p in receipt["predicates"]:
        attr = _attribute(p["name"])
        try:
            text = predicate_sentence(
                p["name"], p["p_type"], p["p_value"], _label(p["name"]), attr and attr.type, day
            )
        except (InputError, ValueError):
            text = f"proves something about your {_label(p['name']).lower()}"
        facts.append(text[:1].upper() + text[1:])
    return facts


def signatures_in_words(receipt):
    """Return what is wrong with the signatures, in words; an empty list when both check out."""
    whose = {"holder": "Your signature", "firm": "The firm's countersignature"}
    found = [(p, receipt_book.signature_status(receipt, p)) for p in whose]
    return [f"{whose[p]}: {status}" for p, status in found if status != "valid"]


@bp.get("/<receipt_id>")
def show(receipt_id):
    """Show one receipt in sentences; ids, hashes and how to check it under a fold."""
    holder = agent()
    row = receipt_book.one(holder, receipt_id, _now())
    who = records.connection_labels(holder).get(row.connection_id, "(unknown firm)")
    return render_template(
        "receipts/show.html",
        row=row,
        r=row.receipt,
        who=who,
        shared=shared_values(holder, row.receipt),
        facts=proven_facts(row.receipt, today()),
        problems=signatures_in_words(row.receipt),
    )


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


def covered(receipt, day):
    """Return what a receipt covers, in words: the labels of what was revealed, then the facts."""
    return [_label(name) for name in receipt["revealed_attributes"]] + proven_facts(receipt, day)


@bp.route("/<receipt_id>/erase", methods=["GET", "POST"])
def erase(receipt_id):
    """Say what will be asked of which firm; only a POST with `confirm=yes` sends the request."""
    holder = agent()
    if request.method == "POST" and request.form.get("confirm") == "yes":
        receipt_book.request_erasure(holder, service().data_dir, receipt_id, _now())
        flash("Erasure requested. The firm must acknowledge it within a month.")
        return redirect(url_for("receipts.index"))
    row = receipt_book.one(holder, receipt_id, _now())
    return render_template(
        "receipts/erase.html",
        row=row,
        r=row.receipt,
        who=records.connection_labels(holder).get(row.connection_id, "(unknown firm)"),
        covers=covered(row.receipt, today()),
    )
