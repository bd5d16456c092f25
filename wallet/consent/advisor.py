"""Over-asking advice for one proof request, and the smaller request it suggests (pure).

`advise()` reads an AnonCreds request with the credential schemas and the person's
history with the firm and says: which raw values a predicate would replace, which
attributes the firm never needed before, whether a whole credential or anything
unrestricted is asked, and how much the request and the smaller answer reveal.
With the purpose of agreed terms it also says what the request asks beyond that purpose.
Which raw values a threshold would do for comes from the schemas: every numeric
attribute (`integer`, `dateint`), with the threshold and unit its schema file declares.
Advice never blocks: the person may still approve the original request.
"""

import datetime
from dataclasses import dataclass, field

from ..errors import InputError
from ..schemas import date_to_dateint
from . import purpose_advice

WEIGHTS = {"high": 3, "medium": 2, "low": 1}
KINDS = {"dateint": "years", "integer": "amount"}
LIMITS = {"years": (0, 150), "amount": (0, 2**31 - 1)}


def _years_before(today, years):
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class Suggestion:
    """Prove a threshold instead of revealing the raw value of `name`."""

    referent: str
    name: str
    label: str
    kind: str
    value: int
    restrictions: list = field(default_factory=list, compare=False)
    unit: str = ""

    def predicate(self, today, value=None):
        """Return the AnonCreds predicate item, with `value` replacing the default threshold."""
        value = self.value if value is None else check_threshold(self.kind, value)
        if self.kind == "years":
            bound = date_to_dateint(_years_before(today, value))
            item = {"name": self.name, "p_type": "<=", "p_value": bound}
        else:
            item = {"name": self.name, "p_type": ">=", "p_value": value}
        if self.restrictions:
            item["restrictions"] = self.restrictions
        return item

    def sentence(self, value=None):
        """Say the suggestion in plain words."""
        value = self.value if value is None else value
        if self.name == "birthdate_dateint":
            return f"prove you are at least {value} instead of revealing your date of birth"
        if self.kind == "years":
            return f"prove your {self.label.lower()} is at least {value} years ago instead"
        unit = f" {self.unit}" if self.unit else ""
        return f"prove your {self.label.lower()} is at least {value}{unit} instead of revealing it"


def threshold_of(name, schemas):
    """Return (kind, default threshold, unit) for a numeric attribute of `schemas`, or None."""
    for schema in schemas.values():
        if name in schema.attr_names:
            attr = schema.attribute(name)
            if attr.numeric:
                return KINDS[attr.type], attr.advice_threshold, attr.unit
            return None
    return None


def check_threshold(kind, value):
    """Return `value` as an int within the limits of `kind`, or raise `InputError`."""
    low, high = LIMITS[kind]
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InputError(f"The threshold must be a whole number, not '{value}'.") from None
    if not low <= number <= high:
        raise InputError(f"The threshold must be between {low} and {high}.")
    return number


@dataclass(frozen=True)
class Exposure:
    """How much an answer reveals: raw values by sensitivity, and facts only proven."""

    raw: int
    high: int
    medium: int
    low: int
    proven: int

    @property
    def score(self):
        """Return a number: 3 per highly sensitive raw value, 2 per medium, 1 per low."""
        return self.high * WEIGHTS["high"] + self.medium * WEIGHTS["medium"] + self.low

    @property
    def level(self):
        """Return "nothing", "little", "some" or "a lot"."""
        score = self.score
        if score == 0:
            return "nothing"
        return "little" if score <= 2 else "some" if score <= 5 else "a lot"

    @property
    def words(self):
        """Say it in one sentence."""
        if not self.raw:
            raw = "no raw value"
        else:
            parts = [
                f"{n} {word}"
                for n, word in (
                    (self.high, "highly sensitive"),
                    (self.medium, "medium"),
                    (self.low, "low"),
                )
                if n
            ]
            raw = f"{self.raw} raw value{'s' if self.raw > 1 else ''} ({', '.join(parts)})"
        facts = (
            f", {self.proven} fact{'s' if self.proven != 1 else ''} proven" if self.proven else ""
        )
        return f"Reveals {self.level}: {raw}{facts}."


@dataclass(frozen=True)
class Advice:
    """Everything the consent screen says about over-asking, and the smaller request."""

    suggestions: tuple
    new_attributes: tuple
    first_time: bool
    whole_credentials: tuple
    unrestricted: tuple
    original: Exposure
    smaller: Exposure
    smaller_request: dict
    dropped: tuple
    purpose: str = ""  # the agreed purpose's code; "" when no terms were stated
    beyond_purpose: tuple = ()  # (name, sentence) of what the purpose does not need

    @property
    def over_asking(self):
        """Return True when anything could be asked for with less.

        Values new to this firm count only where leaving them out still answers
        something (`dropped`): a request of new values alone, whose smaller answer would
        be the request itself, is information ("new to this firm"), not over-asking.
        """
        return bool(
            self.suggestions
            or self.dropped
            or self.whole_credentials
            or self.unrestricted
            or self.beyond_purpose
        )

    @property
    def purpose_words(self):
        """Say what the advisor can tell about the purpose, in one sentence."""
        return purpose_advice.words(self.purpose, self.beyond_purpose)


def _names(item):
    return list(item["names"]) if "names" in item else [item["name"]]


def sensitivity(name, schemas):
    """Return the sensitivity of an attribute name (unknown names count as medium)."""
    for schema in schemas.values():
        if name in schema.attr_names:
            return schema.attribute(name).sensitivity
    return "medium"


def _label(name, schemas):
    for schema in schemas.values():
        if name in schema.attr_names:
            return schema.attribute(name).label
    return name.replace("_", " ")


def revealed_names(request):
    """Return [(referent, name)] of every raw value the request asks for."""
    return [
        (referent, name)
        for referent, item in (request.get("requested_attributes") or {}).items()
        for name in _names(item)
    ]


def exposure(request, schemas):
    """Return the `Exposure` of answering `request` in full."""
    levels = [sensitivity(n, schemas) for _, n in revealed_names(request)]
    return Exposure(
        len(levels),
        levels.count("high"),
        levels.count("medium"),
        levels.count("low"),
        len(request.get("requested_predicates") or {}),
    )


def _unrestricted(item):
    return not any(r for r in item.get("restrictions") or ())


def counter_request(request, today, to_predicate=None, drop=(), thresholds=None):
    """Return the smaller request: `to_predicate` {name: Suggestion} proven, `drop` left out.

    Groups asking several names are split only where a name changes; every kept
    item keeps the firm's restrictions, so the firm can accept the smaller request.
    """
    to_predicate, drop, thresholds = dict(to_predicate or {}), set(drop), dict(thresholds or {})
    attrs, preds = {}, dict(request.get("requested_predicates") or {})
    for referent, item in (request.get("requested_attributes") or {}).items():
        kept = [n for n in _names(item) if n not in drop and n not in to_predicate]
        if kept:
            rest = {k: v for k, v in item.items() if k not in ("name", "names")}
            attrs[referent] = {"names": kept, **rest} if "names" in item else dict(item)
    for name, suggestion in to_predicate.items():
        referent = f"{name}_instead"
        while referent in preds:
            referent += "_"
        preds[referent] = suggestion.predicate(today, thresholds.get(name))
    if not attrs and not preds:
        raise InputError("The smaller answer would prove nothing: keep at least one item.")
    smaller = {k: v for k, v in request.items() if k not in ("nonce",)}
    smaller.update(
        name=f"{request.get('name') or 'Proof request'} (smaller answer)",
        version=request.get("version", "1.0"),
        requested_attributes=attrs,
        requested_predicates=preds,
    )
    return smaller


def _whole(request, schemas):
    asked = {n for _, n in revealed_names(request)}
    asked |= {i["name"] for i in (request.get("requested_predicates") or {}).values()}
    return tuple(
        schema.label
        for schema in schemas.values()
        if len(schema.attr_names) > 1 and set(schema.attr_names) <= asked
    )


def advise(request, schemas, today, history=(), firm="", held=None, purpose=None):
    """Return the `Advice` for `request` from `firm`.

    `history` holds the person's history entries (with `to`, `action`, `revealed`);
    `held` optionally maps attribute names to the person's values, so a threshold
    the person cannot prove is never suggested; `purpose` is the purpose code of
    agreed terms (None: no terms stated, so the purpose cannot be judged).
    """
    if not isinstance(today, datetime.date):
        raise InputError("advise() needs today's date.")
    held = held or {}
    beyond = purpose_advice.beyond(
        [n for _, n in revealed_names(request)],
        [i["name"] for i in (request.get("requested_predicates") or {}).values()],
        lambda name: _label(name, schemas),
        purpose,
    )
    outside = {name for name, _ in beyond}
    suggestions = []
    for referent, name in revealed_names(request):
        found = threshold_of(name, schemas)
        if found is None or name in outside or any(s.name == name for s in suggestions):
            continue
        kind, value, unit = found
        item = request["requested_attributes"][referent]
        suggestion = Suggestion(
            referent,
            name,
            _label(name, schemas),
            kind,
            value,
            list(item.get("restrictions") or []),
            unit,
        )
        if name in held and not _holds(suggestion.predicate(today), held[name]):
            continue
        suggestions.append(suggestion)
    earlier = [e for e in history if e.to == firm and e.action in ("sent", "declined")]
    sent = [e for e in earlier if e.action == "sent"]
    asked = [n for _, n in revealed_names(request)]
    seen = {n for e in sent for n in e.revealed}
    new = tuple(dict.fromkeys(n for n in asked if sent and n not in seen))
    replaced = {s.name: s for s in suggestions}
    extra = [n for n in asked if n in outside]
    dropped = tuple(dict.fromkeys(n for n in (*new, *extra) if n not in replaced))
    unrestricted = tuple(
        dict.fromkeys(
            name
            for kind in ("requested_attributes", "requested_predicates")
            for item in (request.get(kind) or {}).values()
            if _unrestricted(item)
            for name in _names(item)
        )
    )
    try:
        smaller = counter_request(request, today, replaced, dropped)
    except InputError:
        smaller, dropped = counter_request(request, today, replaced), ()
    return Advice(
        tuple(suggestions),
        new,
        not earlier,
        _whole(request, schemas),
        unrestricted,
        exposure(request, schemas),
        exposure(smaller, schemas),
        smaller,
        dropped,
        purpose or "",
        beyond,
    )


def _holds(predicate, raw):
    try:
        value, bound = int(str(raw)), int(predicate["p_value"])
    except ValueError:
        return False
    return value <= bound if predicate["p_type"] == "<=" else value >= bound
