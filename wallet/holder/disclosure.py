"""The consent screen's content: what a proof request would disclose, in plain words (pure).

`describe()` turns a request and the usable credentials into items the person reads;
`digest()` fingerprints everything shown, so an approval is refused if anything
changed between showing and sending.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from ..consent import request_checks
from ..errors import InputError
from ..schemas import dateint_to_date
from .records import label_of, schema_for

WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}


@dataclass(frozen=True)
class Choice:
    """One credential that can answer an item, with what it would disclose."""

    cred_id: str
    credential: str
    shown: list


@dataclass(frozen=True)
class Item:
    """One item of a request: revealed attribute, predicate, self-attested or unanswerable."""

    referent: str
    kind: str
    text: str
    choices: list = field(default_factory=list)
    why: str = ""

    @property
    def several(self):
        """Return True when the person can choose between credentials."""
        return len(self.choices) > 1


@dataclass(frozen=True)
class Disclosure:
    """Everything the consent screen shows for one request."""

    pres_ex_id: str
    who: str
    name: str
    items: list
    conditions: tuple = ()  # restrictions testing a hidden value: disclosures in themselves

    @property
    def answerable(self):
        """Return True when every item can be answered."""
        return not any(i.kind == "unanswerable" for i in self.items)

    def of_kind(self, kind):
        """Return the items of one kind."""
        return [i for i in self.items if i.kind == kind]


def _years_between(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _years_before(today, years):
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def predicate_sentence(name, p_type, p_value, label, kind, today):
    """Say in plain words what a predicate proves and what it keeps back."""
    if p_type not in WORDS:
        raise InputError(f"Unknown predicate type {p_type!r} in the request.")
    if kind == "dateint" or name.endswith("_dateint"):
        bound = dateint_to_date(p_value)
        if p_type == "<":
            bound -= datetime.timedelta(days=1)
        elif p_type == ">":
            bound += datetime.timedelta(days=1)
        when = bound.strftime("%-d %B %Y")
        if name == "birthdate_dateint" and p_type in ("<=", "<"):
            age = _years_between(bound, today)
            if _years_before(today, age) == bound:
                return f"proves you are at least {age}; your {label.lower()} is not shared"
            return (
                f"proves you were born on or before {when} (so you are at least {age}); "
                f"your {label.lower()} is not shared"
            )
        side = "on or before" if p_type in ("<=", "<") else "on or after"
        return f"proves your {label.lower()} is {side} {when}; the date is not shared"
    return f"proves your {label.lower()} is {WORDS[p_type]} {p_value}; the amount is not shared"


def _names(item):
    return list(item["names"]) if "names" in item else [item["name"]]


def _describe_cred(cand, schemas):
    schema = schema_for(cand.attrs, schemas)
    return schema, (schema.label if schema else "Credential")


def describe(record, request, options, schemas, who, today):
    """Build the `Disclosure` for a request record and its usable candidates."""
    items = []
    for referent, item in request.get("requested_attributes", {}).items():
        names = _names(item)
        found = options.get(referent) or []
        if found:
            choices = []
            for cand in found:
                schema, title = _describe_cred(cand, schemas)
                shown = [(n, label_of(n, schema), str(cand.attrs[n])) for n in names]
                choices.append(Choice(cand.cred_id, title, shown))
            text = ", ".join(label_of(n, _describe_cred(found[0], schemas)[0]) for n in names)
            items.append(Item(referent, "revealed", text, choices))
        elif not item.get("restrictions"):
            items.append(Item(referent, "self_attested", ", ".join(names)))
        else:
            items.append(
                Item(referent, "unanswerable", ", ".join(names), why="no credential holds it")
            )
    for referent, item in request.get("requested_predicates", {}).items():
        found = options.get(referent) or []
        schema = schema_for(found[0].attrs, schemas) if found else None
        if schema is None:
            for candidate in schemas.values():
                if item["name"] in candidate.attr_names:
                    schema = candidate
        kind = schema.attribute(item["name"]).type if schema else ""
        text = predicate_sentence(
            item["name"],
            item["p_type"],
            item["p_value"],
            label_of(item["name"], schema),
            kind,
            today,
        )
        if found:
            choices = [Choice(c.cred_id, _describe_cred(c, schemas)[1], []) for c in found]
            items.append(Item(referent, "predicate", text, choices))
        else:
            items.append(Item(referent, "unanswerable", text, why="no credential proves it"))
    checked = request_checks.check(request, schemas)
    items = [_conflicting(item, request, checked.conflicts, schemas) for item in items]
    return Disclosure(
        record.pres_ex_id, who, request.get("name", ""), items, tuple(checked.conditions)
    )


def _conflicting(item, request, conflicts, schemas):
    """Mark an item asking an attribute both revealed and proven as unanswerable, with why."""
    asked = (request.get("requested_attributes") or {}).get(item.referent)
    asked = asked or (request.get("requested_predicates") or {}).get(item.referent) or {}
    names = [n for n in (asked.get("names") or [asked.get("name")]) if n in conflicts]
    if not names:
        return item
    labels = ", ".join(label_of(n, _schema_with(n, schemas)).lower() for n in names)
    why = request_checks.conflict_reason(names[0], labels)
    return Item(item.referent, "unanswerable", item.text, why=why)


def _schema_with(name, schemas):
    return next((s for s in schemas.values() if name in s.attr_names), None)


def resolve_choices(disclosure, chosen):
    """Return {referent: cred id}: the person's picks, the only choice where there is one."""
    if not disclosure.answerable:
        why = "; ".join(i.why for i in disclosure.of_kind("unanswerable"))
        raise InputError(f"This request cannot be answered ({why}); decline it.")
    picks = {}
    for item in disclosure.items:
        if not item.choices:
            continue
        pick = (chosen or {}).get(item.referent) or item.choices[0].cred_id
        if pick not in {c.cred_id for c in item.choices}:
            raise InputError(f"That credential cannot answer '{item.text}'; choose another.")
        picks[item.referent] = pick
    return picks


def digest(disclosure):
    """Fingerprint everything the screen shows: items, choices and the values they reveal."""
    shown = [
        [i.referent, i.kind, i.text, [[c.cred_id, c.credential, c.shown] for c in i.choices]]
        for i in disclosure.items
    ]
    shown += [["condition", c.referent, c.name, c.value] for c in disclosure.conditions]
    body = json.dumps([disclosure.who, disclosure.pres_ex_id, disclosure.name, shown])
    return hashlib.sha256(body.encode()).hexdigest()


def summary(disclosure, picks):
    """Return what the history records: names revealed, predicates, credentials used."""
    revealed, predicates, used = [], [], []
    for item in disclosure.items:
        if item.referent not in picks:
            continue
        choice = next(c for c in item.choices if c.cred_id == picks[item.referent])
        used.append(f"{choice.credential} ({choice.cred_id})")
        if item.kind == "revealed":
            revealed.extend(name for name, _, _ in choice.shown)
        else:
            predicates.append(item.text)
    return {
        "revealed": revealed,
        "predicates": predicates,
        "credentials": sorted(set(used)),
        "self_attested": [i.text for i in disclosure.of_kind("self_attested")],
        **({"conditions": conditions(disclosure)} if disclosure.conditions else {}),
    }


def conditions(disclosure):
    """Return the attribute names (or unreadable keys) the request's hidden conditions test."""
    return list(dict.fromkeys(c.name for c in disclosure.conditions))
