"""Credential schemas from `credential_schemas/`: display labels, types and sensitivity."""

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, SchemaFileError

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "credential_schemas"

TYPES = ("string", "integer", "dateint", "country")
SENSITIVITIES = ("low", "medium", "high")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_VERSION = re.compile(r"^\d+(\.\d+){1,2}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# AnonCreds encodes integers as themselves only within 32 bits; predicates need that.
_INT_MAX = 2**31 - 1
# Optional threshold advice per numeric attribute: kind, allowed range, default.
THRESHOLD_LIMITS = {"dateint": (0, 150), "integer": (0, _INT_MAX)}
DEFAULT_THRESHOLDS = {"dateint": 1, "integer": 1}
_UNIT = re.compile(r"^[A-Za-z][A-Za-z ]{0,15}$")


@dataclass(frozen=True)
class Attribute:
    """One attribute of a schema, with its label, type and sensitivity."""

    name: str
    label: str
    type: str
    sensitivity: str
    threshold: int | None = None  # the default "at least" for advice; None: the type's default
    unit: str = ""  # "years" for a dateint; a word such as "EUR" for an integer, or ""

    @property
    def numeric(self):
        """Return True when predicates (>=, <=, ...) can apply to this attribute."""
        return self.type in ("integer", "dateint")

    @property
    def advice_threshold(self):
        """Return the threshold advice proposes (declared, else the type's default), or None."""
        if not self.numeric:
            return None
        return DEFAULT_THRESHOLDS[self.type] if self.threshold is None else self.threshold


@dataclass(frozen=True)
class CredentialSchema:
    """A credential schema as Tessera ships it."""

    name: str
    version: str
    label: str
    description: str
    attributes: tuple

    @property
    def attr_names(self):
        """Return the attribute names in file order."""
        return [a.name for a in self.attributes]

    def attribute(self, name):
        """Return the `Attribute` called `name`."""
        for attr in self.attributes:
            if attr.name == name:
                return attr
        raise KeyError(name)


def _require(data, key, kind, path, field=None):
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        raise SchemaFileError(path, field or key, "is missing")
    if not isinstance(value, kind):
        raise SchemaFileError(path, field or key, f"must be a {kind.__name__}")
    return value


def _attribute(item, index, path):
    where = f"attributes[{index}]"
    if not isinstance(item, dict):
        raise SchemaFileError(path, where, "must be an object")
    name = _require(item, "name", str, path, f"{where}.name")
    if not _NAME.match(name):
        raise SchemaFileError(path, f"{where}.name", f"'{name}' must be lower_snake_case")
    label = _require(item, "label", str, path, f"{where}.label").strip()
    if not label:
        raise SchemaFileError(path, f"{where}.label", "must not be empty")
    kind = _require(item, "type", str, path, f"{where}.type")
    if kind not in TYPES:
        raise SchemaFileError(path, f"{where}.type", f"'{kind}' is not one of {', '.join(TYPES)}")
    if kind == "dateint" and not name.endswith("_dateint"):
        raise SchemaFileError(path, f"{where}.name", "a dateint attribute must end in '_dateint'")
    level = _require(item, "sensitivity", str, path, f"{where}.sensitivity")
    if level not in SENSITIVITIES:
        raise SchemaFileError(
            path, f"{where}.sensitivity", f"'{level}' is not one of {', '.join(SENSITIVITIES)}"
        )
    threshold, unit = _threshold(item, kind, where, path)
    return Attribute(name, label, kind, level, threshold, unit)


def _threshold(item, kind, where, path):
    """Validate the optional `threshold` and `unit` of a numeric attribute."""
    threshold, unit = item.get("threshold"), item.get("unit")
    if threshold is None and unit is None:
        return None, ""
    if kind not in THRESHOLD_LIMITS:
        raise SchemaFileError(
            path, f"{where}.threshold", "only integer and dateint attributes take a threshold"
        )
    if threshold is not None:
        low, high = THRESHOLD_LIMITS[kind]
        if isinstance(threshold, bool) or not isinstance(threshold, int):
            raise SchemaFileError(path, f"{where}.threshold", "must be a whole number")
        if not low <= threshold <= high:
            raise SchemaFileError(path, f"{where}.threshold", f"must be between {low} and {high}")
    if kind == "dateint":
        if unit not in (None, "years"):
            raise SchemaFileError(path, f"{where}.unit", "a dateint threshold counts 'years'")
        return threshold, "years"
    if unit is not None and (not isinstance(unit, str) or not _UNIT.match(unit)):
        raise SchemaFileError(
            path, f"{where}.unit", "must be a short word such as EUR or hours (letters only)"
        )
    return threshold, unit or ""


def parse_schema(data, path):
    """Validate decoded JSON `data` read from `path` and return a `CredentialSchema`."""
    if not isinstance(data, dict):
        raise SchemaFileError(path, None, "must hold a JSON object")
    name = _require(data, "name", str, path)
    if not _NAME.match(name):
        raise SchemaFileError(path, "name", f"'{name}' must be lower_snake_case")
    version = _require(data, "version", str, path)
    if not _VERSION.match(version):
        raise SchemaFileError(path, "version", f"'{version}' must look like 1.0 or 1.0.2")
    label = _require(data, "label", str, path)
    description = data.get("description", "")
    items = _require(data, "attributes", list, path)
    if not items:
        raise SchemaFileError(path, "attributes", "must list at least one attribute")
    attributes = tuple(_attribute(item, i, path) for i, item in enumerate(items))
    names = [a.name for a in attributes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SchemaFileError(path, "attributes", f"duplicate names: {', '.join(duplicates)}")
    return CredentialSchema(name, version, label, description, attributes)


def load_schema(path):
    """Read and validate one schema file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise SchemaFileError(path, None, "does not exist") from None
    except json.JSONDecodeError as exc:
        raise SchemaFileError(
            path, None, f"is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from exc
    return parse_schema(data, path)


def load_all(directory=SCHEMA_DIR):
    """Load every `*.json` schema in `directory`, keyed by schema name."""
    schemas = {}
    if not Path(directory).is_dir():
        raise SchemaFileError(directory, None, "is not a directory of schema files")
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise SchemaFileError(directory, None, "holds no *.json schema file")
    for path in files:
        schema = load_schema(path)
        if schema.name in schemas:
            raise SchemaFileError(path, "name", f"'{schema.name}' is already used by another file")
        schemas[schema.name] = schema
    return schemas


def date_to_dateint(value):
    """Return a date as the YYYYMMDD integer AnonCreds predicates compare."""
    return value.year * 10000 + value.month * 100 + value.day


def dateint_to_date(value):
    """Return the `date` of a YYYYMMDD integer or string, or raise `InputError`."""
    text = str(value)
    try:
        if not re.fullmatch(r"\d{8}", text):
            raise ValueError
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InputError(f"'{value}' is not a date written as YYYYMMDD.") from None


def check_values(schema, values):
    """Validate raw attribute values for `schema`; return them as strings, in schema order."""
    unknown = sorted(set(values) - set(schema.attr_names))
    if unknown:
        raise InputError(f"{schema.label} has no attribute {', '.join(unknown)}.")
    checked = {}
    for attr in schema.attributes:
        raw = values.get(attr.name)
        if raw is None or str(raw).strip() == "":
            raise InputError(f"{attr.label} ({attr.name}) is missing.")
        text = str(raw).strip()
        if attr.type == "integer":
            if not re.fullmatch(r"-?\d+", text) or abs(int(text)) > _INT_MAX:
                raise InputError(f"{attr.label} must be a whole number, not '{text}'.")
        elif attr.type == "dateint":
            dateint_to_date(text)
        elif attr.type == "country" and not _COUNTRY.match(text):
            raise InputError(f"{attr.label} must be a two-letter country code such as FR.")
        checked[attr.name] = text
    return checked
