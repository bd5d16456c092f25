"""The consent screen's content: what a proof request would disclose, in plain words (pure).

`describe()` turns a request and the usable credentials into items the person reads;
`digest()` fingerprints everything shown, so an approval is refused if anything
changed between showing and sending.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field, replace

from ..consent import request_checks
from ..errors import InputError
from ..flows.present import request_name
from ..schemas import dateint_to_date
from ..wording import day_words
from .records import label_of, schema_for

WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}


@dataclass(frozen=True)
class Choice:
    """One credential that can answer an item, with what it would disclose.

    `name` tells it apart from the person's other credentials of its type: issuer,
    issue date and, where two of one type answer, a value that differs between them.
    """

    cred_id: str
    credential: str
    shown: list
    name: str = ""
    kind: str = ""  # the credential type (local schema name) it is of


@dataclass(frozen=True)
class Item:
    """One item of a request: revealed attribute, predicate, self-attested or unanswerable."""

    referent: str
    kind: str
    text: str
    choices: list = field(default_factory=list)
    why: str = ""
    together: str = ""  # the key of the `Together` answering it, if any

    @property
    def several(self):
        """Return True when the person can choose between credentials."""
        return len(self.choices) > 1


@dataclass(frozen=True)
class Together:
    """Items of one credential type, answered from one credential unless the person splits.

    `choices` are the credentials that answer every one of `referents`; empty when no
    single credential can, so the answer necessarily combines several.
    """

    key: str
    label: str
    referents: tuple
    choices: list

    @property
    def several(self):
        """Return True when the person can choose between whole credentials."""
        return len(self.choices) > 1


@dataclass(frozen=True)
class Disclosure:
    """Everything the consent screen shows for one request."""

    pres_ex_id: str
    who: str
    name: str
    items: list
    conditions: tuple = ()  # restrictions testing a hidden value: disclosures in themselves
    together: tuple = ()  # `Together`: items of one type answered from one credential
    cut: tuple = ()  # (item text, read, allowed): items offered from their newest only

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
        when = day_words(bound)
        if name == "birthdate_dateint" and p_type in ("<=", "<"):
            age = _years_between(bound, today)
            if _years_before(today, age) == bound:
                return f"proves you are at least {age}; your {label.lower()} is not shared"
            return (
                f"proves you were born on or before {when} (so you are at least {age}); "
                f"your {label.lower()} is not shared"
            )
        side = "on or before" if p_type in ("<=", "<") else "on or after"
        if "date" in label.lower().split():  # a noun: "your date of birth is on or after …"
            return f"proves your {label.lower()} is {side} {when}; the date is not shared"
        return f"proves {label}: {side} {when}; the date is not shared"  # "Employed since"
    return f"proves your {label.lower()} is {WORDS[p_type]} {p_value}; the amount is not shared"


def _names(item):
    return list(item["names"]) if "names" in item else [item["name"]]


def _describe_cred(cand, schemas):
    schema = schema_for(cand.attrs, schemas)
    return schema, (schema.label if schema else "Credential")


def _kind(cand, schemas):
    schema = schema_for(cand.attrs, schemas)
    return schema.name if schema else (cand.schema_id or "credential")


def _issued_words(text):
    try:
        moment = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return ""
    return day_words(moment.date())


def _value_words(name, value, schema):
    kind = schema.attribute(name).type if schema and name in schema.attr_names else ""
    if kind == "dateint":
        try:
            return day_words(dateint_to_date(int(value)))
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _telling(cands, schema, asked):
    """Return the attribute name whose values tell `cands` apart, or None.

    Attributes the request reveals come first (the person sees them anyway), then the
    schema's words before its numbers and dates, the less sensitive first.
    """
    order = list(asked)
    if schema is not None:
        rank = sorted(
            schema.attributes,
            key=lambda a: (a.type not in ("string", "country"), a.sensitivity == "high"),
        )
        order += [a.name for a in rank]
    order = [n for n in dict.fromkeys(order) if all(n in c.attrs for c in cands)]
    for distinct in (len(cands), 2):
        for name in order:
            if len({str(c.attrs[name]) for c in cands}) >= distinct:
                return name
    return None


def _names_for(options, request, schemas, issued):
    """Return {cred id: Choice name}: each credential named apart from others of its type."""
    asked = [n for item in request.get("requested_attributes", {}).values() for n in _names(item)]
    by_kind = {}
    for found in options.values():
        for cand in found or ():
            by_kind.setdefault(_kind(cand, schemas), {})[cand.cred_id] = cand
    names = {}
    for cands in by_kind.values():
        schema, title = _describe_cred(next(iter(cands.values())), schemas)
        telling = _telling(list(cands.values()), schema, asked) if len(cands) > 1 else None
        for cred_id, cand in cands.items():
            issuer, when = (issued or {}).get(cred_id, ("", ""))
            words = title
            if issuer and not issuer.startswith("("):
                words += f" from {issuer}"
            if _issued_words(when):
                words += f", issued {_issued_words(when)}"
            if telling:
                value = _value_words(telling, cand.attrs[telling], schema)
                words += f" ({label_of(telling, schema)}: {value})"
            names[cred_id] = words
    return names


def describe(record, request, options, schemas, who, today, issued=None, cut=None):
    """Build the `Disclosure` for a request record and its usable candidates.

    `issued` maps credential ids to (issuer label, issue time), as `IssuanceIndex` reads
    them; the choices then name their issuer and date. `cut` ({referent: (read,
    allowed)}, `Assessment.cut`) names items whose choices come from their newest only.
    """
    named = _names_for(options, request, schemas, issued)

    def choice(cand, shown):
        title = _describe_cred(cand, schemas)[1]
        return Choice(cand.cred_id, title, shown, named[cand.cred_id], _kind(cand, schemas))

    items = []
    for referent, item in request.get("requested_attributes", {}).items():
        names = _names(item)
        found = options.get(referent) or []
        if found:
            choices = []
            for cand in found:
                schema, _ = _describe_cred(cand, schemas)
                shown = [(n, label_of(n, schema), str(cand.attrs[n])) for n in names]
                choices.append(choice(cand, shown))
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
            items.append(Item(referent, "predicate", text, [choice(c, []) for c in found]))
        else:
            items.append(Item(referent, "unanswerable", text, why="no credential proves it"))
    checked = request_checks.check(request, schemas)
    items = [_conflicting(item, request, checked.conflicts, schemas) for item in items]
    newest = tuple(
        (item.text, *cut[item.referent]) for item in items if item.referent in (cut or {})
    )
    items, together = _together(items)
    return Disclosure(
        record.pres_ex_id,
        who,
        request_name(record, request.get("name", "")),
        items,
        tuple(checked.conditions),
        together,
        newest,
    )


def _together(items):
    """Group items of one credential type that two or more credentials of it answer.

    Returns (items marked with their group's key, the `Together`s).
    """
    by_kind = {}
    for item in items:
        kinds = {c.kind for c in item.choices}
        if item.kind in ("revealed", "predicate") and len(kinds) == 1:
            by_kind.setdefault(kinds.pop(), []).append(item)
    groups = []
    for kind, members in by_kind.items():
        creds = {c.cred_id: c for item in members for c in item.choices}
        if len(members) < 2 or len(creds) < 2:
            continue
        whole = [
            c
            for c in creds.values()
            if all(c.cred_id in {o.cred_id for o in item.choices} for item in members)
        ]
        label = members[0].choices[0].credential
        groups.append(Together(kind, label, tuple(i.referent for i in members), whole))
    keys = {ref: g.key for g in groups for ref in g.referents}
    items = [replace(i, together=keys[i.referent]) if i.referent in keys else i for i in items]
    return items, tuple(groups)


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


def resolve_choices(disclosure, chosen, together=None, split=()):
    """Return {referent: cred id}: the person's picks, the only choice where there is one.

    Items of one `Together` are answered from the credential picked for it in `together`
    (its first by default); picks per item that differ from one another are refused
    unless the group's key is in `split` (True: every group), the person's deliberate
    choice to combine credentials.
    """
    if not disclosure.answerable:
        why = "; ".join(i.why for i in disclosure.of_kind("unanswerable"))
        raise InputError(f"This request cannot be answered ({why}); decline it.")
    chosen, together = dict(chosen or {}), dict(together or {})
    whole = {}
    for group in disclosure.together:
        pick = together.get(group.key) or (group.choices[0].cred_id if group.choices else "")
        if pick and pick not in {c.cred_id for c in group.choices}:
            raise InputError(
                f"That credential cannot answer every {group.label} item; choose another."
            )
        whole[group.key] = pick
    picks = {}
    for item in disclosure.items:
        if not item.choices:
            continue
        pick = chosen.get(item.referent) or whole.get(item.together) or item.choices[0].cred_id
        if pick not in {c.cred_id for c in item.choices}:
            raise InputError(f"That credential cannot answer '{item.text}'; choose another.")
        picks[item.referent] = pick
    for group in disclosure.together:
        used = {picks[r] for r in group.referents}
        if len(used) > 1 and group.choices and not (split is True or group.key in split):
            raise InputError(
                f"Nothing was sent: you picked different {group.label} credentials for "
                f"different items. Answer them all with one, or choose 'Use different "
                f"credentials for different items' to combine them on purpose."
            )
    return picks


NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five"}


def combining(disclosure, picks):
    """Return a warning for each credential type whose items `picks` answer from several."""
    warnings = []
    for group in disclosure.together:
        used = {picks[r] for r in group.referents if r in picks}
        if len(used) > 1:
            count = NUMBERS.get(len(used), str(len(used)))
            warnings.append(
                f"You are combining {count} different {group.label} credentials in one "
                "answer: the firm will see them as one."
            )
    return warnings


def digest(disclosure):
    """Fingerprint everything the screen shows: items, choices and the values they reveal."""
    shown = [
        [
            i.referent,
            i.kind,
            i.text,
            i.together,
            [[c.cred_id, c.credential, c.shown, c.name] for c in i.choices],
        ]
        for i in disclosure.items
    ]
    shown += [["condition", c.referent, c.name, c.value] for c in disclosure.conditions]
    shown += [
        ["together", g.key, g.label, list(g.referents), [c.cred_id for c in g.choices]]
        for g in disclosure.together
    ]
    shown += [["newest", *cut] for cut in disclosure.cut]
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
