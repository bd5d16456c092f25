"""The issue form generated from a credential schema: fields, parsing, errors per field."""

import datetime
import re
from dataclasses import dataclass

from ..errors import InputError
from ..schemas import check_values, date_to_dateint

INPUT_TYPES = {"string": "text", "integer": "number", "dateint": "date", "country": "text"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_INT_MAX = 2**31 - 1
MAX_TEXT = 200


@dataclass(frozen=True)
class Field:
    """One form field for one attribute."""

    name: str
    label: str
    input_type: str
    value: str = ""
    error: str = ""


def fields(schema, form=None, errors=None):
    """Return the `Field`s of `schema`, filled from a submitted `form` and `errors`."""
    form, errors = form or {}, errors or {}
    return [
        Field(a.name, a.label, INPUT_TYPES[a.type], form.get(a.name, ""), errors.get(a.name, ""))
        for a in schema.attributes
    ]


def _one(attr, text):
    if not text:
        return None, f"{attr.label} is missing."
    if len(text) > MAX_TEXT:
        return None, f"{attr.label} is longer than {MAX_TEXT} characters."
    if attr.type == "dateint":
        match = _ISO_DATE.match(text)
        try:
            if not match:
                raise ValueError
            day = datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            return None, f"'{text}' is not a date that exists; pick one in the calendar."
        return str(date_to_dateint(day)), ""
    if attr.type == "integer":
        if not re.fullmatch(r"-?\d+", text) or abs(int(text)) > _INT_MAX:
            return None, f"{attr.label} must be a whole number, not '{text}'."
        return str(int(text)), ""
    if attr.type == "country":
        text = text.upper()
        if not re.fullmatch(r"[A-Z]{2}", text):
            return None, "Use a two-letter country code such as FR."
    return text, ""


def parse(schema, form):
    """Return (values for `check_values`, {attribute: error}) from a submitted form."""
    values, errors = {}, {}
    for attr in schema.attributes:
        value, error = _one(attr, str(form.get(attr.name, "")).strip())
        if error:
            errors[attr.name] = error
        else:
            values[attr.name] = value
    if not errors:
        try:
            values = check_values(schema, values)
        except InputError as exc:
            errors["_form"] = str(exc)
    return values, errors
