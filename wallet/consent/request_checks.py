"""What is wrong or hidden in a proof request, found before anything is shown or sent (pure).

Three kinds of finding:
- **problems**: the request is malformed or hostile (asks nothing, a predicate on a date
  that does not exist, wrong types). It is shown as such and can only be declined; it
  never breaks the list of other requests.
- **conditions**: restrictions that test a hidden value (`attr::NAME::value`, or a key
  the wallet cannot read). Whether a credential can answer then depends on the value,
  so answering, declining or staying silent tells the firm about it: each condition is
  a disclosure, said in words, and never answered automatically.
- **conflicts**: an attribute asked both revealed and in a predicate, which AnonCreds
  refuses to prove; the request is unanswerable, and the person is told why before
  clicking anything.
"""

import re
from dataclasses import dataclass, field

from ..schemas import dateint_to_date

P_TYPES = (">=", ">", "<=", "<")
INT32 = (-(2**31), 2**31 - 1)
MAX_ITEMS = 64
MAX_NAME = 128
# Restriction keys that name who issued what, not anything about the person's values.
ISSUER_KEYS = frozenset(
    {
        "schema_id",
        "schema_issuer_did",
        "schema_issuer_id",
        "schema_name",
        "schema_version",
        "issuer_did",
        "issuer_id",
        "cred_def_id",
        "rev_reg_id",
    }
)
ATTR_KEY = re.compile(r"^attr::(?P<name>[^:]+)::(?P<what>value|marker)$")


@dataclass(frozen=True)
class Condition:
    """A restriction that tests something about the person's credential beyond its issuer."""

    referent: str
    name: str  # the attribute tested, or the raw key when the wallet cannot read it
    value: str
    readable: bool = True

    def sentence(self, label=None):
        """Say the condition in words, as the disclosure it is."""
        if not self.readable:
            return (
                f"a condition the wallet cannot read ({self.name!r}): whether you can answer "
                "may tell the firm something about your data"
            )
        what = label or self.name
        return (
            f"only answerable if your {what} is {self.value!r}: answering, or not, tells "
            "the firm whether it is"
        )


@dataclass(frozen=True)
class RequestCheck:
    """Everything `check()` found in one request."""

    problems: list = field(default_factory=list)
    conditions: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)

    @property
    def hostile(self):
        """Return True when the request cannot be shown as a normal request."""
        return bool(self.problems)

    @property
    def automatic_allowed(self):
        """Return True when nothing here forbids an automatic answer."""
        return not (self.problems or self.conditions or self.conflicts)


def _problem_items(request, problems):
    attrs = request.get("requested_attributes", {})
    preds = request.get("requested_predicates", {})
    for key, value in (("requested_attributes", attrs), ("requested_predicates", preds)):
        if not isinstance(value, dict):
            problems.append(f"its {key} is not a list of named items")
    if problems:
        return {}, {}
    if not attrs and not preds:
        problems.append("it asks for nothing at all")
    if len(attrs) + len(preds) > MAX_ITEMS:
        problems.append(f"it asks for more than {MAX_ITEMS} items")
    for referent in [*attrs, *preds]:
        if not isinstance(referent, str) or not referent or len(referent) > MAX_NAME:
            problems.append("an item has no usable name")
            break
    return attrs, preds


def _names_of(item, problems):
    if not isinstance(item, dict):
        problems.append("an item is not an object")
        return []
    if "names" in item:
        names = item["names"]
        ok = isinstance(names, list) and names and "name" not in item
    else:
        names = [item.get("name")]
        ok = True
    if not ok or not all(isinstance(n, str) and 0 < len(n) <= MAX_NAME for n in names):
        problems.append("an item names no attribute, or names one that is not text")
        return []
    return names


def _is_dateint(name, schemas):
    for schema in (schemas or {}).values():
        if name in getattr(schema, "attr_names", ()):
            return schema.attribute(name).type == "dateint"
    return name.endswith("_dateint")


def _check_predicate(item, schemas, problems):
    if not isinstance(item, dict):
        problems.append("a predicate is not an object")
        return None
    name, p_type, p_value = item.get("name"), item.get("p_type"), item.get("p_value")
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        problems.append("a predicate names no attribute")
        return None
    if p_type not in P_TYPES:
        problems.append(
            f"a predicate on {name} compares with {p_type!r}, which is not a comparison"
        )
        return None
    if isinstance(p_value, bool) or not isinstance(p_value, int):
        problems.append(f"a predicate on {name} compares with {p_value!r}, which is not a number")
        return None
    if not INT32[0] <= p_value <= INT32[1]:
        problems.append(f"a predicate on {name} compares with {p_value}, out of range")
        return None
    if _is_dateint(name, schemas):
        try:
            dateint_to_date(str(p_value))
        except ValueError:
            problems.append(
                f"a predicate on {name} asks about a date that does not exist ({p_value})"
            )
            return None
    return name


def _conditions(referent, item, problems):
    restrictions = item.get("restrictions") if isinstance(item, dict) else None
    if restrictions is None:
        return []
    if not isinstance(restrictions, list) or not all(isinstance(r, dict) for r in restrictions):
        problems.append("an item's restrictions are not a list of conditions")
        return []
    found = []
    for restriction in restrictions:
        for key, value in restriction.items():
            if key in ISSUER_KEYS:
                continue
            match = ATTR_KEY.match(key) if isinstance(key, str) else None
            if match and match["what"] == "marker":
                continue  # whether the credential has the attribute at all: its schema's shape
            if match and isinstance(value, str):
                found.append(Condition(referent, match["name"], value))
            else:
                found.append(Condition(referent, str(key)[:MAX_NAME], str(value)[:200], False))
    return found


def check(request, schemas=None):
    """Return the `RequestCheck` of an AnonCreds proof request (any shape may arrive)."""
    problems, conditions = [], []
    if not isinstance(request, dict):
        return RequestCheck(["it is not a proof request at all"])
    attrs, preds = _problem_items(request, problems)
    revealed = set()
    for referent, item in attrs.items():
        revealed.update(_names_of(item, problems))
        conditions.extend(_conditions(referent, item, problems))
    proven = set()
    for referent, item in preds.items():
        name = _check_predicate(item, schemas, problems)
        if name:
            proven.add(name)
        conditions.extend(_conditions(referent, item, problems))
    non_revoked = request.get("non_revoked")
    if non_revoked is not None and not _interval_ok(non_revoked):
        problems.append("its revocation interval is not a pair of times")
    conflicts = sorted(revealed & proven)
    return RequestCheck(list(dict.fromkeys(problems)), conditions, conflicts)


def _interval_ok(value):
    if not isinstance(value, dict):
        return False
    return all(
        isinstance(value.get(k), int) and not isinstance(value.get(k), bool)
        for k in ("from", "to")
        if k in value
    )


def conflict_reason(name, label=None):
    """Say why an attribute asked both ways cannot be answered."""
    return (
        f"the firm asks for your {label or name} both as a value and as a proven fact, "
        "which cannot be answered together; decline and ask the firm for one or the other"
    )
