"""Words on the consoles' pages.

Registered on the blueprint both consoles share, by `register(bp)`; the Jinja filter
is `with_article` ("Employment and income" to "an Employment and income").
"""

VOWELS = "aeiou"


def with_article(noun):
    """Return `noun` after "a" or "an", chosen by its first letter ("an Employment ...")."""
    text = str(noun)
    first = text[:1].lower()
    return f"{'an' if first and first in VOWELS else 'a'} {text}"


FILTERS = {
    "with_article": with_article,
}


def register(bp):
    """Add the filters to every app that registers the blueprint `bp`."""
    for name, func in FILTERS.items():
        bp.add_app_template_filter(func, name)
