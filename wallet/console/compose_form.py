"""The verifier's compose form: attributes to reveal and predicates, turned into a template."""

import re
from dataclasses import dataclass

from ..errors import InputError
from .request_templates import P_TYPES, TemplateFileError, parse_template

ROWS = 3
KINDS = (*P_TYPES, "years")
MAX_NAME = 80
_INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class Choice:
    """One attribute a request may name: "schema.attribute", labels, numeric or not."""

    key: str
    label: str
    numeric: bool


def choices(schemas):
    """Return every attribute of every schema as a `Choice`."""
    return [
        Choice(f"{s.name}.{a.name}", f"{s.label}: {a.label}", a.numeric)
        for s in schemas.values()
        for a in s.attributes
    ]


def slug(name):
    """Return the template key for a request name: custom-<lower-case-words>."""
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50]
    return f"custom-{words or 'request'}"


def _split(value):
    schema, _, attr = value.partition(".")
    return schema, attr


def parse_int(text, low=-_INT_MAX - 1, high=_INT_MAX):
    """Return `text` as a whole number within [low, high], or raise InputError."""
    text = str(text).strip()
    if not re.fullmatch(r"-?\d{1,10}", text) or not low <= int(text) <= high:
        raise InputError(f"Enter a whole number from {low} to {high}.")
    return int(text)


def parse(form, schemas, trusted_issuers=()):
    """Return (Template or None, {field: error}) from a submitted compose form.

    Restrictions: the issuers ticked among `trusted_issuers` (none ticked: all of them).
    """
    errors = {}
    issuers = form.getlist("issuers")
    if any(i not in trusted_issuers for i in issuers):
        errors["issuers"] = "Pick issuers from the list this console trusts."
    name = form.get("name", "").strip()
    if not name:
        errors["name"] = "Give the request a name the person will see."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name under {MAX_NAME} characters."
    reveal = {}
    for value in form.getlist("reveal"):
        schema, attr = _split(value)
        reveal.setdefault(schema, []).append(attr)
    predicates = []
    for i in range(ROWS):
        attr_key = form.get(f"pred_attr_{i}", "")
        if not attr_key:
            continue
        kind = form.get(f"pred_kind_{i}", ">=")
        if kind not in KINDS:
            errors[f"pred_kind_{i}"] = "Pick a comparison."
            continue
        try:
            if kind == "years":
                number = parse_int(form.get(f"pred_value_{i}", ""), 0, 150)
            else:
                number = parse_int(form.get(f"pred_value_{i}", ""))
        except InputError as exc:
            errors[f"pred_value_{i}"] = str(exc)
            continue
        schema, attr = _split(attr_key)
        item = {"schema": schema, "attribute": attr}
        item.update({"years": number} if kind == "years" else {"p_type": kind, "value": number})
        predicates.append(item)
    if errors:
        return None, errors
    data = {"name": name, "description": form.get("description", "").strip()[:300]}
    data.update(reveal=[{"schema": s, "attributes": a} for s, a in reveal.items()])
    data.update(predicates=predicates)
    if issuers:
        data["issuers"] = issuers
    if form.get("non_revoked") == "on":
        data["non_revoked"] = True
    try:
        return parse_template(slug(name), data, schemas, "(form)"), {}
    except TemplateFileError as exc:
        return None, {"_form": exc.problem if exc.field is None else f"{exc.field}: {exc.problem}"}
