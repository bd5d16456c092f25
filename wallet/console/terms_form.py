"""The verifier console's terms form: purpose, legal basis, retention, onward sharing, price."""

from ..errors import InputError
from ..flows.negotiation import Terms
from ..pricing.money import Money
from ..receipts.vocabulary import LEGAL_BASES, PURPOSES, choice, parse_duration

MAX_TEXT = 200
DEFAULTS = {"retention": "P30D", "currency": "EUR", "amount": "0.50", "legal_basis": "consent"}


def parse(form):
    """Return (Terms or None when the firm states none, {field: error})."""
    if form.get("state_terms") != "on":
        return None, {}
    errors = {}

    def check(field, func):
        try:
            return func()
        except InputError as exc:
            errors[field] = str(exc)
            return None

    purpose = check("purpose", lambda: choice(form.get("purpose", ""), PURPOSES, "purpose"))
    basis = check(
        "legal_basis", lambda: choice(form.get("legal_basis", ""), LEGAL_BASES, "legal basis")
    )
    retention = form.get("retention", "").strip()
    check("retention", lambda: parse_duration(retention))
    price = check(
        "price",
        lambda: Money.parse(
            {
                "amount": form.get("amount", "").strip(),
                "currency": form.get("currency", "").strip().upper(),
            }
        ),
    )
    text = form.get("purpose_text", "").strip()
    if len(text) > MAX_TEXT:
        errors["purpose_text"] = f"Keep the purpose under {MAX_TEXT} characters."
    if errors:
        return None, errors
    return Terms(purpose, basis, retention, form.get("onward_sharing") == "on", price, text), {}


def from_offer(body):
    """Rebuild the `Terms` of an offer body the firm sent."""
    return Terms(
        body["purpose"],
        body["legal_basis"],
        body["retention"],
        body["onward_sharing"],
        Money.parse(body["price"]),
        body.get("purpose_text", ""),
    )
