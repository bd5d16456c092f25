"""The exposure map's arithmetic (pure): per firm, per attribute, what proofs saved, over time.

The input is what the person sent (`Disclosure`: one history entry joined with its
consent receipt and erasure state, if any); every answer that depends on time takes
`now`. Only attribute names are handled here, never values.
"""

import datetime
from dataclasses import dataclass, field

from ..receipts.erasure import retention_end
from ..receipts.purpose_needs import need_of

WEIGHTS = {"high": 3, "medium": 2, "low": 1}
NOT_ASKED, ASKED, CONFIRMED, OVERDUE = "not asked", "asked", "confirmed", "overdue"
REFUSED = "refused"  # the firm's agent could not take the request (it does not speak terms)
NO_TERMS = "no terms: unknown"


@dataclass(frozen=True)
class Disclosure:
    """One answer the person sent: to whom, when, raw names, proven names, its receipt."""

    firm: str
    when: datetime.datetime
    revealed: tuple
    proven: tuple
    receipt: dict | None = None  # the countersigned (or only signed) consent receipt
    countersigned: bool = False
    erasure: object = None  # a `receipts.erasure.ErasureState`, or None when never asked
    credentials: tuple = ()  # ids of the person's credentials that answered

    @property
    def until(self):
        """Return when the firm must have erased it (aware datetime), or None: no terms."""
        return retention_end(self.receipt) if self.receipt else None

    @property
    def erasure_state(self):
        """Return "not asked", "asked", "confirmed", "overdue" or "refused"."""
        if self.erasure is None:
            return NOT_ASKED
        if self.erasure.acknowledged_at:
            return CONFIRMED
        if self.erasure.refused:
            return REFUSED
        return OVERDUE if self.erasure.overdue else ASKED

    def held_at(self, moment):
        """Return True when the firm still holds the raw values at `moment`."""
        if self.when > moment:
            return False
        done = self.erasure.acknowledged_at if self.erasure is not None else ""
        return not done or datetime.datetime.fromisoformat(done) > moment

    def retention_ended(self, now):
        """Return True when retention has passed and no erasure was confirmed."""
        until = self.until
        return until is not None and until <= now and self.erasure_state != CONFIRMED

    @property
    def erasable(self):
        """Return True when the wallet can still ask the firm to erase it (one click)."""
        return self.receipt is not None and self.countersigned and self.erasure is None

    @property
    def receipt_id(self):
        """Return the receipt's id, or "" without terms."""
        return self.receipt["receipt_id"] if self.receipt else ""

    @property
    def purpose(self):
        """Return the purpose code of the terms, or ""."""
        return self.receipt["purpose"]["code"] if self.receipt else ""

    @property
    def onward_sharing(self):
        """Return True/False as the terms say, or None without terms."""
        return self.receipt["onward_sharing"] if self.receipt else None

    def past_need(self, names, now):
        """Return True when the firm no longer needs any of `names` it holds from this answer.

        Past its need: retention ended, the purpose needs none of them raw, or the
        purpose is a one-off check (done once answered). No terms: not known, so no.
        """
        need = need_of(self.purpose)
        if need is None:
            return False
        if self.retention_ended(now) or not need.ongoing:
            return True
        return not any(need.allows(n) for n in names)


@dataclass(frozen=True)
class FirmExposure:
    """What one firm received: raw names, facts only proven, each answer with its terms."""

    firm: str
    disclosures: tuple

    @property
    def raw(self):
        """Return the raw attribute names it received, in order of first receipt."""
        return tuple(dict.fromkeys(n for d in self.disclosures for n in d.revealed))

    @property
    def proven_only(self):
        """Return the names it only ever saw proven, never raw."""
        raw = set(self.raw)
        names = (n for d in self.disclosures for n in d.proven)
        return tuple(dict.fromkeys(n for n in names if n not in raw))

    def holds(self, now):
        """Return the raw names it still holds at `now` (erasure not confirmed)."""
        names = (n for d in self.disclosures if d.held_at(now) for n in d.revealed)
        return tuple(dict.fromkeys(names))

    @property
    def unlimited(self):
        """Return True when any raw value it holds came with no terms (retention unknown)."""
        return any(d.receipt is None and d.revealed for d in self.disclosures)

    @property
    def saved(self):
        """Return how many raw values proofs kept out of its database."""
        return sum(len(d.proven) for d in self.disclosures)


@dataclass(frozen=True)
class AttributeExposure:
    """One attribute: which firms hold its raw value, and how many of them without a limit."""

    name: str
    label: str
    sensitivity: str
    firms: tuple
    unlimited: tuple = field(default=())

    @property
    def score(self):
        """Return sensitivity weight times number of holders (the map sorts by it)."""
        return WEIGHTS.get(self.sensitivity, 2) * len(self.firms)

    @property
    def words(self):
        """Say it in one sentence."""
        count = len(self.firms)
        holders = f"{count} firm{'s' if count != 1 else ''}"
        text = f"Your {self.label.lower()} is held by {holders}"
        if self.unlimited:
            many = len(self.unlimited)
            which = "it" if count == 1 else "one of them" if many == 1 else f"{many} of them"
            text += f", {which} with no retention limit"
        return text + "."


def by_firm(disclosures):
    """Return a `FirmExposure` per firm, in order of first disclosure."""
    firms = {}
    for d in sorted(disclosures, key=lambda d: d.when):
        firms.setdefault(d.firm, []).append(d)
    return [FirmExposure(firm, tuple(ds)) for firm, ds in firms.items()]


def _describe(name, schemas):
    for schema in schemas.values():
        if name in schema.attr_names:
            attr = schema.attribute(name)
            return attr.label, attr.sensitivity
    return name.replace("_", " ").capitalize(), "medium"


def by_attribute(disclosures, schemas, now):
    """Return an `AttributeExposure` per raw attribute still held, most exposed first."""
    holders, unlimited = {}, {}
    for d in sorted(disclosures, key=lambda d: d.when):
        if not d.held_at(now):
            continue
        for name in d.revealed:
            holders.setdefault(name, {}).setdefault(d.firm, None)
            if d.receipt is None:
                unlimited.setdefault(name, {}).setdefault(d.firm, None)
    found = [
        AttributeExposure(
            name, *_describe(name, schemas), tuple(firms), tuple(unlimited.get(name, ()))
        )
        for name, firms in holders.items()
    ]
    return sorted(found, key=lambda a: (-a.score, a.label))


@dataclass(frozen=True)
class Savings:
    """What proofs saved: raw values the firms would hold, and what they do hold."""

    per_firm: tuple  # (firm, would hold, holds)
    would_hold: int
    holds: int

    @property
    def saved(self):
        """Return how many raw values proofs kept out of firms' databases."""
        return self.would_hold - self.holds

    @property
    def words(self):
        """Say it in one sentence."""
        firms = sum(1 for _, would, holds in self.per_firm if would > holds)
        if not self.saved:
            return "No proof has kept a raw value out of a firm's database yet."
        values = f"{self.saved} raw value{'s' if self.saved != 1 else ''}"
        owners = f"{firms} firms' databases" if firms != 1 else "1 firm's database"
        return f"Proofs kept {values} out of {owners}."


def savings(disclosures):
    """Return the `Savings` of every answer: each proof is a raw value the firm never got."""
    rows = []
    for firm in by_firm(disclosures):
        holds = sum(len(d.revealed) for d in firm.disclosures)
        rows.append((firm.firm, holds + firm.saved, holds))
    return Savings(tuple(rows), sum(r[1] for r in rows), sum(r[2] for r in rows))


def held_count(disclosures, moment):
    """Return how many (firm, raw attribute) pairs are held at `moment`."""
    return len({(d.firm, n) for d in disclosures if d.held_at(moment) for n in d.revealed})


def _month_end(year, month, tz):
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.datetime(year, month, 1, tzinfo=tz) - datetime.timedelta(microseconds=1)


def timeline(disclosures, now):
    """Return [(YYYY-MM, raw values held at the month's end, or now for this month)]."""
    if not disclosures:
        return []
    first = min(d.when for d in disclosures)
    year, month, points = first.year, first.month, []
    while (year, month) <= (now.year, now.month):
        moment = min(_month_end(year, month, now.tzinfo), now)
        points.append((f"{year:04d}-{month:02d}", held_count(disclosures, moment)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points
