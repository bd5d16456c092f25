"""Decline reasons: a picked reason plus free text, as the problem report's description."""

import pytest

from wallet.consent.reasons import decline_reason
from wallet.errors import InputError


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("", "", "The person declined to share this."),
        ("", "Too much", "Too much"),
        ("too_much", "", "You asked for more than this needs."),
        ("unknown_firm", "Who are you?", "I do not know your firm. Who are you?"),
        ("price", "", "The price you offer is not acceptable."),
        ("other", "Not today", "Not today"),
    ],
)
def test_reason_texts(code, text, expected):
    assert decline_reason(code, text) == expected


@pytest.mark.parametrize(
    ("code", "text", "message"),
    [("other", " ", "say why"), ("bribe", "", "Pick a reason"), ("", "x" * 501, "under 500")],
)
def test_bad_reasons_are_refused(code, text, message):
    with pytest.raises(InputError, match=message):
        decline_reason(code, text)
