"""The person's price list page (/prices): prices per attribute and predicate, purposes, floor.

Amounts are exact decimals typed as text in a three-letter currency code, never
floats; a bad field is named with what to type instead and nothing is saved. A fresh
wallet has no prices; automatic counters and acceptance are off until the person
turns them on here (acceptance only with a rule naming purpose, retention and sharing).
"""

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..errors import InputError
from ..holder import terms_view
from ..pricing import store
from ..pricing.money import minor_units, parse_amount
from ..pricing.price_list import parse_price_list
from ..receipts.vocabulary import PURPOSES
from .context import schemas, service

bp = Blueprint("pricing", __name__, url_prefix="/prices")
RATIO_PLACES = 4


def _check_places(value, places, where):
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InputError(f"{where} '{value}' has more than {places} decimals; round it.")


def check_document(data):
    """Validate a price list document, amounts within the currency's decimals; `PriceList`."""
    prices = parse_price_list(data)
    places = minor_units(prices.currency)
    _check_places(prices.attribute, places, "attribute")
    _check_places(prices.predicate, places, "predicate")
    for group in ("attributes", "predicates"):
        for name, value in getattr(prices, group).items():
            _check_places(value, places, f"{group}.{name}")
    for name, value in prices.purposes.items():
        if name not in PURPOSES:
            raise InputError(f"purposes.{name}: '{name}' is not one of: {', '.join(PURPOSES)}.")
        _check_places(value, RATIO_PLACES, f"purposes.{name}")
    _check_places(prices.floor_ratio, RATIO_PLACES, "floor_ratio")
    return prices


def _auto_accept(form, errors):
    """Return the accept rule document from the form (None unless turned on)."""
    if form.get("auto_accept") != "on":
        return None
    purposes = [p for p in form.getlist("accept_purpose") if p in PURPOSES]
    raw_days = form.get("accept_days", "").strip()
    if not purposes:
        errors["accept_purpose"] = "Tick at least one purpose your wallet may accept for you."
    if not raw_days.isdigit() or not 0 < int(raw_days) <= 36500:
        errors["accept_days"] = "Type the most days a firm may keep your answer (1 to 36500)."
        raw_days = "0"
    return {
        "purposes": purposes,
        "max_retention": f"P{int(raw_days)}D",
        "onward_sharing": form.get("accept_sharing") == "on",
    }


def form_document(form):
    """Return (price list document, {field: error}) from the page's form."""
    errors = {}
    currency = form.get("currency", "").strip().upper()
    try:
        places = minor_units(currency)
    except InputError as exc:
        errors["currency"] = str(exc)
        places = 8

    def amount(field, where, decimals):
        raw = form.get(field, "").strip()
        try:
            value = parse_amount(raw, where)
            _check_places(value, decimals, where)
        except InputError as exc:
            errors[field] = str(exc)
        return raw

    doc = {
        "version": 1,
        "currency": currency,
        "attribute": amount("attribute", "Price per revealed attribute", places),
        "predicate": amount("predicate", "Price per proven fact", places),
        "attributes": {},
        "predicates": {},
        "purposes": {},
        "floor_ratio": amount("floor_ratio", "Floor", RATIO_PLACES),
        "auto_counter": form.get("auto_counter") == "on",
        "auto_accept": _auto_accept(form, errors),
    }
    for key in sorted(form):
        for prefix, group, decimals in (
            ("attr-", "attributes", places),
            ("pred-", "predicates", places),
            ("purpose-", "purposes", RATIO_PLACES),
        ):
            if key.startswith(prefix) and form.get(key, "").strip():
                name = key.removeprefix(prefix)
                doc[group][name] = amount(key, f"{group}.{name}", decimals)
    if not errors:
        try:
            check_document(doc)
        except InputError as exc:
            errors["form"] = str(exc)
    return doc, errors


def _page(doc=None, errors=None, status=200):
    data_dir = service().data_dir
    saved = store.load(data_dir)
    current = doc or (saved.to_json() if saved else _blank())
    attributes = [(s.label, a) for s in schemas().values() for a in s.attributes]
    page = render_template(
        "pricing/index.html",
        doc=current,
        errors=errors or {},
        unset=saved is None,
        accept_days=_days(current.get("auto_accept")),
        attributes=attributes,
        purposes=PURPOSES,
        no_terms=terms_view.load_rule(data_dir),
        no_terms_rules=terms_view.NO_TERMS_RULES,
    )
    return page, status


def _blank():
    """The form of a wallet with no prices: every field empty, nothing automatic."""
    return {
        "currency": "",
        "attribute": "",
        "predicate": "",
        "attributes": {},
        "predicates": {},
        "purposes": {},
        "floor_ratio": "",
        "auto_counter": False,
        "auto_accept": None,
    }


def _days(rule):
    """Return the accept rule's retention as a number of days for the form ("" if none)."""
    text = (rule or {}).get("max_retention", "")
    return text[1:-1] if text.startswith("P") and text.endswith("D") else ""


@bp.get("/")
def index():
    """Show the price list."""
    return _page()


@bp.post("/")
def save():
    """Save the price list if every field is valid; otherwise show what to correct."""
    doc, errors = form_document(request.form)
    if errors:
        return _page(doc, errors, 400)
    store.save(service().data_dir, check_document(doc))
    flash("Your price list is saved; new offers are priced with it.")
    return redirect(url_for("pricing.index"))


@bp.post("/no-terms")
def no_terms():
    """Save the rule for requests whose firm stated no terms."""
    terms_view.save_rule(service().data_dir, request.form.get("no_terms", ""))
    flash("Saved.")
    return redirect(url_for("pricing.index"))
