"""What a request asks beyond the purpose its terms state (pure), for the over-asking advice."""

from ..receipts.purpose_needs import need_of

NO_PURPOSE = "No purpose was stated in agreed terms, so the advisor cannot judge the purpose."


def beyond(raw, proven, label, purpose):
    """Return ((name, sentence), ...) asked beyond `purpose` (a code); () without a purpose.

    `raw` and `proven` are the attribute names asked as values and as predicates;
    `label(name)` gives a display label. A raw value counts when the purpose needs
    neither it nor a fact about it; a predicate when it needs no fact about it.
    """
    need = need_of(purpose)
    if need is None:
        return ()
    found = {}
    for name, is_fact in [(n, False) for n in raw] + [(n, True) for n in proven]:
        if name in found or need.allows(name, proven=True):
            continue
        what = (
            f"a fact about your {label(name).lower()}" if is_fact else f"your {label(name).lower()}"
        )
        found[name] = f"{need.words[0].upper()}{need.words[1:]} does not need {what}."
    return tuple(found.items())


def words(purpose, found):
    """Say what the advisor can tell about the purpose, in one sentence."""
    need = need_of(purpose)
    if need is None:
        return NO_PURPOSE
    if found:
        return f"It asks more than {need.words} needs."
    return f"It asks nothing beyond what {need.words} needs."
