"""The person's disclosure rules, evaluated by a pure function with no I/O.

Rules are plain data (a versioned JSON document). The default for everything is
"ask": nothing is approved without the person unless a rule they set says so, and
every decision names the rule that made it.
"""

import json
from dataclasses import dataclass, field, replace

from ..errors import InputError

VERSION = 1
ATTRIBUTE_RULES = ("never", "ask", "allow")
FIRM_TRUST = ("trusted", "unknown", "blocked")
ACTIONS = ("approve", "ask", "decline")
DEFAULT_RULE = "default:ask"
PROPOSAL_RULE = "proposal:yours"


@dataclass(frozen=True)
class Shape:
    """A request-shape rule: when a request looks like this, do `then`."""

    id: str
    then: str
    firm: str = "trusted"
    predicates_only: bool = False
    attributes: frozenset = frozenset()  # if set, every item must name one of these
    # {attribute: narrowest width a firm may learn from predicates answered by this rule}:
    # days for dates, units for amounts; unset: a year, or a tenth of the amount.
    narrowest: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Policy:
    """The person's rules: per attribute, per firm, per request shape."""

    attributes: dict = field(default_factory=dict)
    firms: dict = field(default_factory=dict)
    shapes: tuple = ()

    def set_attribute(self, name, rule):
        """Return a copy where attribute `name` follows `rule` ("ask" removes the entry)."""
        _choice(rule, ATTRIBUTE_RULES, f"attributes.{name}")
        attributes = {k: v for k, v in self.attributes.items() if k != name}
        if rule != "ask":
            attributes[name] = rule
        return replace(self, attributes=attributes)

    def set_firm(self, firm, trust):
        """Return a copy where `firm` has `trust` ("unknown" removes the entry)."""
        _choice(trust, FIRM_TRUST, f"firms.{firm}")
        firms = {k: v for k, v in self.firms.items() if k != firm}
        if trust != "unknown":
            firms[firm] = trust
        return replace(self, firms=firms)

    def add_shape(self, shape):
        """Return a copy with the shape rule appended; its id must be new."""
        if any(s.id == shape.id for s in self.shapes):
            raise InputError(f"A rule named '{shape.id}' exists; choose another name.")
        _choice(shape.then, ACTIONS, "then")
        _choice(shape.firm, FIRM_TRUST, "firm")
        return replace(self, shapes=(*self.shapes, shape))

    def remove_shape(self, shape_id):
        """Return a copy without the shape rule `shape_id`."""
        return replace(self, shapes=tuple(s for s in self.shapes if s.id != shape_id))

    def to_json(self):
        """Return the rules as the versioned JSON document they are stored as."""
        return {
            "version": VERSION,
            "attributes": dict(sorted(self.attributes.items())),
            "firms": dict(sorted(self.firms.items())),
            "shapes": [
                {
                    "id": s.id,
                    "then": s.then,
                    "when": {
                        "firm": s.firm,
                        "predicates_only": s.predicates_only,
                        "attributes": sorted(s.attributes),
                    },
                    **({"narrowest": dict(sorted(s.narrowest.items()))} if s.narrowest else {}),
                }
                for s in self.shapes
            ],
        }


@dataclass(frozen=True)
class Decision:
    """What to do with a request, which rule decided, and why."""

    action: str
    rule: str
    reason: str


def _choice(value, allowed, where):
    if value not in allowed:
        raise InputError(f"{where}: '{value}' is not one of {', '.join(allowed)}.")
    return value


MAX_WIDTH = 10**9


def _narrowest(value, where):
    """Validate a shape's {attribute: narrowest width} (whole numbers from 1)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(
            f'{where}: give {{attribute: narrowest width}}, e.g. {{"birthdate_dateint": 730}}.'
        )
    for name, width in value.items():
        if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
            raise InputError(
                f"{where}.{name}: the narrowest width is a whole number of days (dates) "
                f"or units (amounts) from 1 to {MAX_WIDTH}."
            )
    return {str(k): v for k, v in value.items()}


def widths(policy, decision):
    """Return the {attribute: narrowest width} of the shape rule that made `decision`."""
    found = next((s for s in policy.shapes if f"shape:{s.id}" == decision.rule), None)
    return dict(found.narrowest) if found is not None else {}


def guard(decision, checked, narrowings, describe=str):
    """Turn an automatic approval into a question when answering would tell too much (pure).

    `checked` is the request's `RequestCheck`; `narrowings` what answering would let the
    firm know (`probing.Narrowing`s). None of this depends on a hidden value: hidden
    conditions and conflicts are in the request itself, and a narrowing is automatic
    only when every outcome leaves the firm enough width.
    """
    if decision.action != "approve" or decision.rule == PROPOSAL_RULE:
        return decision
    if checked.conditions:
        first = checked.conditions[0]
        return Decision(
            "ask",
            f"condition:{first.name}",
            "The request only fits if a value of yours is what the firm guesses; "
            "answering would tell it, so you decide.",
        )
    if checked.conflicts:
        return Decision(
            "ask",
            f"conflict:{checked.conflicts[0]}",
            f"It asks {checked.conflicts[0]} both as a value and as a proven fact.",
        )
    for narrowing in narrowings:
        if not narrowing.automatic:
            return Decision(
                "ask",
                f"probing:{narrowing.name}",
                f"With its earlier requests, answering could narrow {describe(narrowing.name)} "
                "below the width your rule allows.",
            )
    return decision


def parse_policy(data):
    """Validate a stored rules document and return a `Policy`."""
    if not isinstance(data, dict):
        raise InputError("The policy must be a JSON object.")
    if data.get("version") != VERSION:
        raise InputError(f"Policy version {data.get('version')!r} is not {VERSION}.")
    attributes = {
        str(k): _choice(v, ATTRIBUTE_RULES, f"attributes.{k}")
        for k, v in (data.get("attributes") or {}).items()
    }
    firms = {
        str(k): _choice(v, FIRM_TRUST, f"firms.{k}") for k, v in (data.get("firms") or {}).items()
    }
    shapes = []
    for index, raw in enumerate(data.get("shapes") or []):
        where = f"shapes[{index}]"
        if not isinstance(raw, dict) or not raw.get("id"):
            raise InputError(f"{where}: a shape rule needs an 'id'.")
        when = raw.get("when") or {}
        shapes.append(
            Shape(
                id=str(raw["id"]),
                then=_choice(raw.get("then"), ACTIONS, f"{where}.then"),
                firm=_choice(when.get("firm", "trusted"), FIRM_TRUST, f"{where}.when.firm"),
                predicates_only=bool(when.get("predicates_only", False)),
                attributes=frozenset(when.get("attributes") or ()),
                narrowest=_narrowest(raw.get("narrowest"), f"{where}.narrowest"),
            )
        )
    if len({s.id for s in shapes}) != len(shapes):
        raise InputError("Two shape rules share one id.")
    return Policy(attributes, firms, tuple(shapes))


def _names(request):
    revealed = []
    for item in (request.get("requested_attributes") or {}).values():
        revealed.extend(item.get("names") or [item.get("name")])
    predicates = [item.get("name") for item in (request.get("requested_predicates") or {}).values()]
    return [n for n in revealed if n], [n for n in predicates if n]


def _matches(shape, trust, revealed, predicates):
    if shape.firm != trust:
        return False
    if shape.predicates_only and revealed:
        return False
    return not shape.attributes or set(revealed + predicates) <= shape.attributes


def _items(request):
    """Return the request's items in a comparable form, ignoring referent names (pure)."""
    found = []
    for kind in ("requested_attributes", "requested_predicates"):
        for item in (request.get(kind) or {}).values():
            found.append(json.dumps([kind, item], sort_keys=True))
    return found


def within(request, proposal):
    """Return True when `request` asks nothing beyond the person's own `proposal`."""
    offered = _items(proposal)
    for item in _items(request):
        if item not in offered:
            return False
        offered.remove(item)
    return request.get("non_revoked") in (None, proposal.get("non_revoked"))


def _proposal_decision(request, proposal):
    if within(request, proposal):
        return Decision(
            "approve", PROPOSAL_RULE, "The firm accepted the smaller answer you proposed."
        )
    return Decision(
        "ask",
        "proposal:changed",
        "The firm answered your proposal with a request that asks for more than you offered.",
    )


def evaluate(policy, request, firm, proposal=None):
    """Decide on an AnonCreds proof `request` from the firm known as `firm`.

    Order: a blocked firm is declined; a request answering the person's own
    `proposal` is approved when it asks nothing more; an attribute the person never
    reveals, or wants to be asked about every time, turns an approval into a
    question; then the first matching shape rule; then an all-"allow" request from a
    trusted firm; else ask.
    """
    trust = policy.firms.get(firm, "unknown")
    if trust == "blocked":
        return Decision("decline", f"firm:{firm}", "You blocked this firm.")
    if proposal is not None:
        return _proposal_decision(request, proposal)
    revealed, predicates = _names(request)
    never = sorted({n for n in revealed if policy.attributes.get(n) == "never"})
    asked = sorted({n for n in revealed if policy.attributes.get(n) == "ask"})
    for shape in policy.shapes:
        if _matches(shape, trust, revealed, predicates):
            if shape.then == "approve" and (never or asked):
                held = never or asked
                verb = "never reveal" if never else "want to be asked about"
                return Decision(
                    "ask",
                    f"attribute:{held[0]}",
                    f"Your rule '{shape.id}' would approve, but you {verb} {', '.join(held)}.",
                )
            return Decision(shape.then, f"shape:{shape.id}", f"Your rule '{shape.id}' applies.")
    if never:
        return Decision("ask", f"attribute:{never[0]}", f"You never reveal {', '.join(never)}.")
    if (
        trust == "trusted"
        and revealed
        and all(policy.attributes.get(n) == "allow" for n in revealed)
        and not predicates
    ):
        return Decision(
            "approve", "attributes:allow", "Every value asked is one you allow this firm to see."
        )
    return Decision("ask", DEFAULT_RULE, "No rule of yours decides this request.")


def describe_shape(shape, labels=None):
    """Say a shape rule in plain words, attributes by their `labels` where known.

    For the settings page: "Answer at once: requests about Date of birth only from any firms".
    """
    verb = {"approve": "Answer at once", "ask": "Ask me", "decline": "Decline"}[shape.then]
    what = "predicate-only requests" if shape.predicates_only else "requests"
    named = sorted((labels or {}).get(n, n) for n in shape.attributes)
    about = f" about {', '.join(named)} only" if named else ""
    return f"{verb}: {what}{about} from {shape.firm} firms"
