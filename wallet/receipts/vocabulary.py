"""The controlled words of consent: purposes, legal bases, retention durations, times.

Receipts carry them and the terms protocol offers and checks them.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from ..errors import InputError

PURPOSES = (
    "identity-check",
    "age-check",
    "credit-check",
    "employment",
    "service-delivery",
    "research",
    "marketing",
)
# GDPR Article 6(1) bases.
LEGAL_BASES = (
    "consent",
    "contract",
    "legal-obligation",
    "vital-interests",
    "public-task",
    "legitimate-interests",
)
_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$"
)


def choice(value, allowed, what):
    """Return `value` if it is one of `allowed`, else InputError listing them."""
    if value not in allowed:
        raise InputError(f"{what} '{value}' is not one of: {', '.join(allowed)}.")
    return value


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration (PnYnMnWnDTnHnMnS), added to dates by the calendar."""

    text: str
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    def after(self, start):
        """Return the moment this duration after `start` (a datetime)."""
        months = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + months // 12, months % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        moved = start.replace(year=year, month=month, day=day)
        return moved + datetime.timedelta(
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )


def parse_duration(text, what="retention"):
    """Parse an ISO 8601 duration such as "P30D" or "P1Y6M"; InputError otherwise."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match:
        raise InputError(
            f'{what} {text!r} is not an ISO 8601 duration; write e.g. "P30D" (30 days) '
            'or "P1Y" (one year).'
        )
    parts = [int(g or 0) for g in match.groups()]
    return Duration(text, *parts)


def parse_time(text, what="time"):
    """Parse an ISO 8601 timestamp with a UTC offset; InputError otherwise."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError(f"{what} {text!r} is not an ISO 8601 time with a UTC offset.")
    return moment
