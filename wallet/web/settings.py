"""Settings: API bearer tokens, and the person's disclosure rules."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..consent.policy import ACTIONS, ATTRIBUTE_RULES, FIRM_TRUST, Shape, describe_shape
from ..errors import InputError
from ..holder import records
from ..holder.rules import RulesFile
from .context import agent, schemas, service, tokens

bp = Blueprint("settings", __name__, url_prefix="/settings")
MAX_ID = 60


def rules_file():
    """Return the person's rules file (in the wallet's data directory)."""
    return RulesFile(service().data_dir)


def _page(status=200, **extra):
    policy = rules_file().load()
    attributes = [
        (schema.label, attr, policy.attributes.get(attr.name, "ask"))
        for schema in schemas().values()
        for attr in schema.attributes
    ]
    labels = {attr.name: attr.label for _, attr, _ in attributes}
    firms = [
        (c, policy.firms.get(c["connection_id"], "unknown")) for c in records.connections(agent())
    ]
    page = render_template(
        "settings/index.html",
        tokens=tokens().list(),
        attributes=attributes,
        firms=firms,
        shapes=[(s, describe_shape(s, labels)) for s in policy.shapes],
        attribute_rules=ATTRIBUTE_RULES,
        firm_trust=FIRM_TRUST,
        actions=ACTIONS,
        **extra,
    )
    return page, status


@bp.route("/")
def index():
    """List tokens and rules."""
    return _page()


@bp.route("/tokens", methods=["POST"])
def create():
    """Create a token and show it once, at the top of the page (never stored in the session)."""
    name = request.form.get("name", "")
    try:
        token_id, token = tokens().create(name)
    except InputError as exc:
        return _page(400, error=str(exc))
    return _page(new_token=token, new_id=token_id, new_name=name.strip())


@bp.route("/tokens/<token_id>/revoke", methods=["POST"])
def revoke(token_id):
    """Revoke a token."""
    tokens().revoke(token_id)
    flash("Token revoked.")
    return redirect(url_for("settings.index"))


def _save(change):
    try:
        rules_file().update(change)
    except InputError as exc:
        return _page(400, error=str(exc))
    flash("Your rules were saved.")
    return redirect(url_for("settings.index") + "#rules")


@bp.route("/rules/attributes", methods=["POST"])
def attributes():
    """Set never / ask / allow per attribute."""

    def change(policy):
        for key, rule in request.form.items():
            if key.startswith("attr-"):
                policy = policy.set_attribute(key.removeprefix("attr-"), rule)
        return policy

    return _save(change)


@bp.route("/rules/firms", methods=["POST"])
def firms():
    """Set trusted / unknown / blocked per connected firm."""
    known = {c["connection_id"] for c in records.connections(agent())}

    def change(policy):
        for key, trust in request.form.items():
            if key.startswith("firm-"):
                firm = key.removeprefix("firm-")
                if firm not in known:
                    raise InputError("That firm is not one of your connections; reload the page.")
                policy = policy.set_firm(firm, trust)
        return policy

    return _save(change)


@bp.route("/rules/shapes", methods=["POST"])
def add_shape():
    """Add a request-shape rule."""
    form = request.form
    shape_id = form.get("id", "").strip()
    if not shape_id or len(shape_id) > MAX_ID:
        return _page(400, error=f"Name the rule (up to {MAX_ID} characters).")
    names = {a.name for s in schemas().values() for a in s.attributes}
    chosen = set(form.getlist("attributes"))
    if chosen - names:
        return _page(400, error="Pick attributes from the list.")
    shape = Shape(
        id=shape_id,
        then=form.get("then", ""),
        firm=form.get("firm", "trusted"),
        predicates_only=form.get("predicates_only") == "on",
        attributes=frozenset(chosen),
    )
    return _save(lambda policy: policy.add_shape(shape))


@bp.route("/rules/shapes/<shape_id>/remove", methods=["POST"])
def remove_shape(shape_id):
    """Remove a request-shape rule."""
    return _save(lambda policy: policy.remove_shape(shape_id))
