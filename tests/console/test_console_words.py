"""Words on the consoles' pages (#19): articles, counts, and a counter in the firm's words."""

import pytest

from wallet.console import words

from .conftest import make_console
from .fakes import fake_agent


@pytest.mark.parametrize(
    ("noun", "said"),
    [
        ("Employment and income", "an Employment and income"),
        ("National identity", "a National identity"),
        ("address", "an address"),
        ("item", "an item"),
        ("", "a "),  # nothing to go by: no failure
    ],
)
def test_with_article_picks_a_or_an_by_the_first_letter(noun, said):
    assert words.with_article(noun) == said


@pytest.mark.parametrize(
    ("schema", "heading"),
    [
        ("employment_income", "Issue an Employment and income credential"),
        ("national_id", "Issue a National identity credential"),
    ],
)
def test_the_issuer_console_says_a_or_an_before_a_credential(tmp_path, schema, heading):
    console = make_console("issuer", fake_agent("issuer"), tmp_path)
    assert f"<h1>{heading}</h1>" in console.get(f"/issuer/issue/{schema}").text
    assert f">{heading}</a>" in console.get("/issuer/").text
