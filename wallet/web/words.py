"""Dates, durations, purposes and names in words: the Jinja filters every page shares.

Register with `register(app)`; the filters are `date_words` (19900412, "1990-04-12"
or an ISO time, to "12 April 1990"), `duration_words` ("P30D" to "30 days"),
`purpose_words` ("credit-check" to "a credit check"), `yes_no`, `count_words`
(3, "item" to "3 items") and `name_words` ("address_city" to "address city").
"""

import datetime
import re

from ..errors import InputError
from ..receipts.vocabulary import parse_duration
from ..wording import count_words, day_words

PURPOSE_WORDS = {
    "identity-check": "checking who you are",
    "age-check": "checking your age",
    "credit-check": "a credit check",
    "employment": "employment",
    "service-delivery": "delivering a service to you",
    "research": "research",
    "marketing": "marketing",
}
LEGAL_BASIS_WORDS = {
    "consent": "your consent",
    "contract": "a contract with you",
    "legal-obligation": "a legal obligation",
    "vital-interests": "someone's vital interests",
    "public-task": "a public task",
    "legitimate-interests": "the firm's legitimate interests",
}
_DATEINT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_UNITS = (
    ("years", "year"),
    ("months", "month"),
    ("weeks", "week"),
    ("days", "day"),
    ("hours", "hour"),
    ("minutes", "minute"),
    ("seconds", "second"),
)


def date_words(value):
    """Return a date value in words ("2026-11": "November 2026"); others come back unchanged."""
    if isinstance(value, datetime.datetime):
        return f"{day_words(value.date())}, {value:%H:%M}"
    if isinstance(value, datetime.date):
        return day_words(value)
    text = str(value if value is not None else "").strip()
    month = _MONTH.match(text)
    if month and 1 <= int(month[2]) <= 12:
        return f"{datetime.date(int(month[1]), int(month[2]), 1):%B} {month[1]}"
    match = _DATEINT.match(text)
    if match:
        try:
            return day_words(datetime.date(*map(int, match.groups())))
        except ValueError:
            return text
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) == 10:
        return day_words(moment.date())
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
        return f"{day_words(moment.date())}, {moment:%H:%M} UTC"
    return f"{day_words(moment.date())}, {moment:%H:%M}"


def duration_words(value):
    """Return an ISO 8601 duration in words ("P1Y6M": "1 year and 6 months")."""
    try:
        duration = parse_duration(value)
    except InputError:
        return str(value)
    parts = [
        count_words(getattr(duration, field), noun)
        for field, noun in _UNITS
        if getattr(duration, field)
    ]
    if not parts:
        return "no time at all"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def purpose_words(code):
    """Return a purpose code from the vocabulary in words."""
    return PURPOSE_WORDS.get(code, str(code).replace("-", " "))


def legal_basis_words(code):
    """Return a legal basis code in words."""
    return LEGAL_BASIS_WORDS.get(code, str(code).replace("-", " "))


def yes_no(value):
    """Return "yes" or "no"."""
    return "yes" if value else "no"


def name_words(name):
    """Return an attribute name as words when no label is known ("job_title": "job title")."""
    return str(name).removesuffix("_dateint").replace("_", " ")


FILTERS = {
    "date_words": date_words,
    "duration_words": duration_words,
    "purpose_words": purpose_words,
    "legal_basis_words": legal_basis_words,
    "yes_no": yes_no,
    "count_words": count_words,
    "name_words": name_words,
}


def register(app):
    """Add the filters to a Flask app's templates."""
    app.jinja_env.filters.update(FILTERS)
