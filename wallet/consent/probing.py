"""What a firm learns about a hidden value from predicates, and when answering narrows it (pure).

A predicate such as `birthdate_dateint <= 20081129` proves a fact, not the value. But
every predicate a firm asks splits the value's range in two, and whether the wallet
answers tells the firm which side holds it. Fifteen automatic answers to moving
thresholds found an exact date of birth. So the wallet keeps, per firm and attribute,
the interval that all predicates the firm asked reveal together, evaluated on the
person's real value, and answers automatically only when *both* outcomes of the new
request leave the firm an interval at least as wide as the person allows: the choice to
answer automatically then depends only on what the firm already knows, never on the
hidden value itself.
"""

import datetime
import itertools
import math
from dataclasses import dataclass

from ..schemas import dateint_to_date

P_TYPES = (">=", ">", "<=", "<")
# Default narrowest widths a firm may learn without the person: a year for dates,
# a tenth of the amount for numbers.
DATE_WIDTH_DAYS = 365
AMOUNT_SHARE = 0.10
# More predicates than this on one attribute in one request are never answered alone.
MAX_NEW = 6


@dataclass(frozen=True)
class Interval:
    """Whole numbers from `lo` to `hi`, both included; None means unbounded."""

    lo: int | None = None
    hi: int | None = None

    @property
    def empty(self):
        """Return True when no whole number lies in the interval."""
        return self.lo is not None and self.hi is not None and self.lo > self.hi

    @property
    def bounded(self):
        """Return True when both ends are known."""
        return self.lo is not None and self.hi is not None

    def meet(self, other):
        """Return the intersection with `other`."""
        lo = _max(self.lo, other.lo)
        hi = _min(self.hi, other.hi)
        return Interval(lo, hi)

    def contains(self, value):
        """Return True when `value` lies inside."""
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


def _max(a, b):
    return b if a is None else a if b is None else max(a, b)


def _min(a, b):
    return b if a is None else a if b is None else min(a, b)


def holds(p_type, p_value, value):
    """Return whether `value p_type p_value` is true."""
    return {
        ">=": value >= p_value,
        ">": value > p_value,
        "<=": value <= p_value,
        "<": value < p_value,
    }[p_type]


def constraint(p_type, p_value, truth):
    """Return the interval a predicate's answer (`truth`) confines the value to."""
    if p_type not in P_TYPES:
        raise ValueError(f"unknown predicate type {p_type!r}")
    at_least = {">=": p_value, ">": p_value + 1}
    at_most = {"<=": p_value, "<": p_value - 1}
    if p_type in at_least:
        low = at_least[p_type]
        return Interval(low, None) if truth else Interval(None, low - 1)
    high = at_most[p_type]
    return Interval(None, high) if truth else Interval(high + 1, None)


def known(asked, value):
    """Return what the predicates `asked` ((p_type, p_value) pairs) reveal about `value`."""
    found = Interval()
    for p_type, p_value in asked:
        found = found.meet(constraint(p_type, p_value, holds(p_type, p_value, value)))
    return found


def _day_number(dateint):
    """Map any whole number read as YYYYMMDD onto a monotonic, roughly-days scale."""
    year, rest = divmod(dateint, 10000)
    month, day = divmod(rest, 100)
    return (year * 372 + (min(month, 13) - 1) * 31 + (min(day, 32) - 1)) * 365.25 / 372


def width(interval, kind):
    """Return how many days (dates) or units (numbers) the interval holds, ends included."""
    if not interval.bounded:
        return math.inf
    if kind == "dateint":
        return _day_number(interval.hi) - _day_number(interval.lo) + 1
    return interval.hi - interval.lo + 1


def too_narrow(interval, kind, min_width=None):
    """Return True when the interval is narrower than the person allows (`min_width`)."""
    if interval.empty or not interval.bounded:
        return False
    if min_width is None:
        if kind == "dateint":
            min_width = DATE_WIDTH_DAYS
        else:
            min_width = AMOUNT_SHARE * max(abs(interval.lo), abs(interval.hi))
    return width(interval, kind) < min_width


@dataclass(frozen=True)
class Narrowing:
    """What answering would let a firm know about one attribute."""

    name: str
    kind: str
    before: Interval  # what the firm's earlier predicates reveal
    after: Interval  # with this request's answer, on the person's real value
    automatic: bool  # True when every outcome keeps the firm's interval wide enough
    earlier: int  # how many earlier predicates on the attribute count

    @property
    def warns(self):
        """Return True when the person should be told before answering."""
        return not self.automatic or (self.earlier > 0 and self.after.bounded)


def assess(name, kind, earlier, new, value, min_width=None):
    """Say what answering the predicates `new` about `value` would reveal (pure).

    `earlier` and `new` are (p_type, p_value) pairs; `earlier` are every predicate on
    this attribute that the same firm asked before, answered or not (a silence tells
    too). Automatic answering is allowed only when every combination of answers to
    `new` that is consistent with `earlier` leaves an interval no narrower than
    `min_width` (or no narrower than before, when the firm knew that much already).
    """
    before = known(earlier, value)
    after = before
    for p_type, p_value in new:
        after = after.meet(constraint(p_type, p_value, holds(p_type, p_value, value)))
    automatic = len(new) <= MAX_NEW
    if automatic:
        for answers in itertools.product((True, False), repeat=len(new)):
            branch = before
            for (p_type, p_value), truth in zip(new, answers, strict=True):
                branch = branch.meet(constraint(p_type, p_value, truth))
            if branch.empty or branch == before:
                continue
            if too_narrow(branch, kind, min_width):
                automatic = False
                break
    return Narrowing(name, kind, before, after, automatic, len(earlier))


def describe(interval, kind, label):
    """Say an interval in words for the consent screen."""
    lo, hi = (_shown(end, kind) for end in (interval.lo, interval.hi))
    what = f"your {label[0].lower()}{label[1:]}" if label else "the value"
    if interval.lo is None and interval.hi is None:
        return f"nothing about {what}"
    if interval.lo is None:
        return f"{what} is at most {hi}"
    if interval.hi is None:
        return f"{what} is at least {lo}"
    if interval.lo == interval.hi:
        return f"{what} is exactly {lo}"
    return f"{what} lies between {lo} and {hi}"


def _shown(end, kind):
    if end is None:
        return ""
    if kind == "dateint":
        try:
            return _long_date(dateint_to_date(str(end)))
        except ValueError:
            return str(end)
    return f"{end:,}".replace(",", " ")


def _long_date(day: datetime.date):
    return f"{day.day} {day.strftime('%B')} {day.year}"
