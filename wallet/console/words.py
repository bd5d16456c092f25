"""Words on the consoles' pages.

Registered on each console app by `init_app(app)`; the Jinja filters
are `with_article` ("Employment and income" to "an Employment and income"),
`count_words` (3, "item" to "3 items") and `counter_reason` (the wallet's reason for a
counter-price, written to its person, in the firm's words).
"""

import re

from ..wording import count_words

VOWELS = "aeiou"

# The reasons a person's wallet gives, on its own, when it counters a price
# (`wallet/pricing/price_list.py`). They are written to the person ("your floor"); the
# firm reads them here. A reason the person wrote themselves is shown as they wrote it.
_COUNTER_REASONS = (
    (
        re.compile(r"(?P<offered>.+) is below your floor of (?P<floor>.+)\."),
        "Your offer of {offered} is below the person's lowest price, {floor}.",
    ),
    (
        re.compile(r"You price in (?P<theirs>\S+); the firm offered (?P<ours>\S+)\."),
        "The person prices in {theirs}; you offered {ours}.",
    ),
)


def with_article(noun):
    """Return `noun` after "a" or "an", chosen by its first letter ("an Employment ...")."""
    text = str(noun)
    first = text[:1].lower()
    return f"{'an' if first and first in VOWELS else 'a'} {text}"


def counter_reason(reason):
    """Return the reason of a person's counter-price as the firm should read it."""
    text = str(reason or "").strip()
    for pattern, words in _COUNTER_REASONS:
        match = pattern.fullmatch(text)
        if match:
            return words.format(**match.groupdict())
    return text


FILTERS = {
    "with_article": with_article,
    "count_words": count_words,
    "counter_reason": counter_reason,
}


def init_app(app):
    """Add the filters to a console app."""
    app.jinja_env.filters.update(FILTERS)
