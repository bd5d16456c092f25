"""The verifier console's terms form: every field checked before anything is sent."""

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from wallet.console import terms_form
from wallet.pricing.money import Money

GOOD = {
    "state_terms": "on",
    "purpose": "age-check",
    "purpose_text": "Wine shop",
    "legal_basis": "legal-obligation",
    "retention": "P30D",
    "amount": "0.10",
    "currency": "eur",
}


def test_good_form_gives_terms():
    terms, errors = terms_form.parse(MultiDict(GOOD))
    assert errors == {}
    assert terms.price == Money("EUR", Decimal("0.10")) and terms.retention == "P30D"
    assert terms.onward_sharing is False and terms.purpose_text == "Wine shop"


def test_unticked_box_states_no_terms():
    assert terms_form.parse(MultiDict({**GOOD, "state_terms": ""})) == (None, {})


@pytest.mark.parametrize(
    ("field", "value", "error_field", "message"),
    [
        ("purpose", "spying", "purpose", "is not one of"),
        ("legal_basis", "because", "legal_basis", "is not one of"),
        ("retention", "a while", "retention", "ISO 8601 duration"),
        ("amount", "-1", "price", "negative"),
        ("amount", "0.001", "price", "more decimals"),
        ("amount", "1e3", "price", "not a decimal amount"),
        ("currency", "ABC", "price", "ISO 4217"),
        ("purpose_text", "x" * 201, "purpose_text", "under 200"),
    ],
)
def test_bad_terms_are_refused_with_the_field_named(field, value, error_field, message):
    terms, errors = terms_form.parse(MultiDict({**GOOD, field: value}))
    assert terms is None and message in errors[error_field]
