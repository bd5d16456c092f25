"""Words on the consoles' pages.

Registered on the blueprint both consoles share, by `register(bp)`; the Jinja filters
are `with_article` ("Employment and income" to "an Employment and income") and
`count_words` (3, "item" to "3 items").
"""

VOWELS = "aeiou"


def with_article(noun):
    """Return `noun` after "a" or "an", chosen by its first letter ("an Employment ...")."""
    text = str(noun)
    first = text[:1].lower()
    return f"{'an' if first and first in VOWELS else 'a'} {text}"


def count_words(number, noun, plural=None):
    """Return "1 item" or "3 items"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


FILTERS = {
    "with_article": with_article,
    "count_words": count_words,
}


def register(bp):
    """Add the filters to every app that registers the blueprint `bp`."""
    for name, func in FILTERS.items():
        bp.add_app_template_filter(func, name)
