"""The person's disclosure rules, evaluated by a pure function with no I/O.

Rules are plain data (a versioned JSON document). The default for everything is
"ask": nothing is approved without the person unless a rule they set says so, and
every decision names the rule that made it.
"""

from dataclasses import dataclass, field

from ..errors import InputError

VERSION = 1
ATTRIBUTE_RULES = ("never", "ask", "allow")
FIRM_TRUST = ("trusted", "unknown", "blocked")
ACTIONS = ("approve", "ask", "decline")
DEFAULT_RULE = "default:ask"


@dataclass(frozen=True)
class Shape:
    """A request-shape rule: when a request looks like this, do `then`."""

    id: str
    then: str
    firm: str = "trusted"
    predicates_only: bool = False
    attributes: frozenset = frozenset()  # if set, every item must name one of these


@dataclass(frozen=True)
class Policy:
    """The person's rules: per attribute, per firm, per request shape."""

    attributes: dict = field(default_factory=dict)
    firms: dict = field(default_factory=dict)
    shapes: tuple = ()

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


def evaluate(policy, request, firm):
    """Decide on an AnonCreds proof `request` from the firm known as `firm`.

    Order: a blocked firm is declined; an attribute the person never reveals turns
    an approval into a question; then the first matching shape rule; then an
    all-"allow" request from a trusted firm; else ask.
    """
    trust = policy.firms.get(firm, "unknown")
    if trust == "blocked":
        return Decision("decline", f"firm:{firm}", "You blocked this firm.")
    revealed, predicates = _names(request)
    never = sorted({n for n in revealed if policy.attributes.get(n) == "never"})
    for shape in policy.shapes:
        if _matches(shape, trust, revealed, predicates):
            if shape.then == "approve" and never:
                return Decision(
                    "ask",
                    f"attribute:{never[0]}",
                    f"Your rule '{shape.id}' would approve, but you never reveal "
                    f"{', '.join(never)}.",
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
