"""Proof request templates: JSON files naming schemas, turned into AnonCreds requests.

A template names schemas (`"schema": "national_id"`), never credential definitions;
the console adds the restrictions of the issuers it trusts when it sends the request.
Age-like thresholds (`"years": 18` on a dateint) become dateint predicates computed
from the date the caller passes in.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import durable
from ..errors import InputError
from ..registry.ids import is_issuer_id
from ..schemas import date_to_dateint

REQUESTS_DIR = Path(__file__).resolve().parents[2] / "demo" / "requests"
P_TYPES = (">=", ">", "<=", "<")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_INT_MAX = 2**31 - 1


class TemplateFileError(InputError):
    """A proof request template file is missing or malformed."""

    def __init__(self, path, field_name, problem):
        """Name the file and the field at fault."""
        self.path = str(path)
        self.field = field_name
        self.problem = problem
        where = f"field '{field_name}'" if field_name else "the file"
        super().__init__(f"Request template {self.path}: {where}: {problem}")


@dataclass(frozen=True)
class Predicate:
    """A predicate on a numeric attribute: `p_type value`, or 'at least `years` years ago'."""

    schema: str
    attribute: str
    p_type: str = ">="
    value: int | None = None
    years: int | None = None

    def p_value(self, today):
        """Return the threshold AnonCreds compares, computing dates from `today`."""
        if self.years is None:
            return self.value
        return date_to_dateint(years_before(today, self.years))

    def describe(self, schemas):
        """Return a sentence a person can read, such as 'Date of birth at least 18 years ago'."""
        label = schemas[self.schema].attribute(self.attribute).label
        if self.years is not None:
            return f"{label} at least {self.years} years ago"
        return f"{label} {self.p_type} {self.value}"


@dataclass(frozen=True)
class Template:
    """A named proof request: attributes to reveal and predicates, by schema."""

    key: str
    name: str
    description: str = ""
    reveal: tuple = ()
    predicates: tuple = ()
    path: str = field(default="", compare=False)
    issuers: tuple = ()  # only these trusted issuers' credentials (empty: every trusted one)
    non_revoked: bool = False  # ask for proof that the credentials are not revoked

    @property
    def schemas(self):
        """Return the schema names the template asks about, in first-use order."""
        names = [s for s, _ in self.reveal] + [p.schema for p in self.predicates]
        return list(dict.fromkeys(names))

    def to_json(self):
        """Return the template as the JSON object stored in its file."""
        reveal = {}
        for schema, attr in self.reveal:
            reveal.setdefault(schema, []).append(attr)
        preds = []
        for p in self.predicates:
            item = {"schema": p.schema, "attribute": p.attribute}
            if p.years is not None:
                item["years"] = p.years
            else:
                item.update({"p_type": p.p_type, "value": p.value})
            preds.append(item)
        data = {
            "name": self.name,
            "description": self.description,
            "reveal": [{"schema": s, "attributes": a} for s, a in reveal.items()],
            "predicates": preds,
        }
        if self.issuers:
            data["issuers"] = list(self.issuers)
        if self.non_revoked:
            data["non_revoked"] = True
        return data


def years_before(today, years):
    """Return the date `years` before `today` (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _int(value, path, where, low=-_INT_MAX - 1, high=_INT_MAX):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TemplateFileError(path, where, f"must be a whole number from {low} to {high}")
    return value


def _schema_attr(schemas, schema, attribute, path, where):
    if schema not in schemas:
        raise TemplateFileError(
            path, where, f"names schema '{schema}'; known: {', '.join(sorted(schemas))}"
        )
    if attribute not in schemas[schema].attr_names:
        raise TemplateFileError(path, where, f"schema '{schema}' has no attribute '{attribute}'")
    return schemas[schema].attribute(attribute)


def _predicate(item, index, schemas, path):
    where = f"predicates[{index}]"
    if not isinstance(item, dict):
        raise TemplateFileError(path, where, "must be an object")
    schema, attribute = item.get("schema"), item.get("attribute")
    if not isinstance(schema, str) or not isinstance(attribute, str):
        raise TemplateFileError(path, where, "needs 'schema' and 'attribute' strings")
    attr = _schema_attr(schemas, schema, attribute, path, where)
    if not attr.numeric:
        raise TemplateFileError(path, where, f"'{attribute}' is not a number or date")
    if "years" in item:
        if attr.type != "dateint":
            raise TemplateFileError(path, f"{where}.years", "applies to date attributes only")
        return Predicate(schema, attribute, "<=", None, _int(item["years"], path, where, 0, 150))
    p_type = item.get("p_type", ">=")
    if p_type not in P_TYPES:
        raise TemplateFileError(path, f"{where}.p_type", f"must be one of {', '.join(P_TYPES)}")
    if "value" not in item:
        raise TemplateFileError(path, where, "needs a 'value' (or 'years' for a date)")
    return Predicate(schema, attribute, p_type, _int(item["value"], path, f"{where}.value"))


def parse_template(key, data, schemas, path=""):
    """Validate decoded JSON `data` and return a `Template`; TemplateFileError if malformed."""
    if not _KEY.match(key):
        raise TemplateFileError(path, None, f"name '{key}' must be lower-case letters, digits, -_")
    if not isinstance(data, dict):
        raise TemplateFileError(path, None, "must hold a JSON object")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TemplateFileError(path, "name", "must be a non-empty string")
    reveal = []
    items = data.get("reveal", [])
    if not isinstance(items, list):
        raise TemplateFileError(path, "reveal", "must be a list")
    for i, item in enumerate(items):
        where = f"reveal[{i}]"
        attrs = item.get("attributes") if isinstance(item, dict) else None
        if not isinstance(attrs, list) or not attrs:
            raise TemplateFileError(path, where, "needs 'schema' and a non-empty 'attributes' list")
        for attribute in attrs:
            _schema_attr(schemas, item.get("schema"), attribute, path, where)
            reveal.append((item["schema"], attribute))
    preds = data.get("predicates", [])
    if not isinstance(preds, list):
        raise TemplateFileError(path, "predicates", "must be a list")
    predicates = tuple(_predicate(item, i, schemas, path) for i, item in enumerate(preds))
    if not reveal and not predicates:
        raise TemplateFileError(path, None, "asks for nothing: add 'reveal' or 'predicates'")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise TemplateFileError(path, "description", "must be a string")
    issuers = data.get("issuers", [])
    if not isinstance(issuers, list) or not all(
        isinstance(i, str) and is_issuer_id(i) for i in issuers
    ):
        raise TemplateFileError(path, "issuers", "must be a list of did:tessera issuer ids")
    non_revoked = data.get("non_revoked", False)
    if not isinstance(non_revoked, bool):
        raise TemplateFileError(path, "non_revoked", "must be true or false")
    return Template(
        key,
        name.strip(),
        description,
        tuple(reveal),
        predicates,
        str(path),
        tuple(issuers),
        non_revoked,
    )


def load_template(path, schemas):
    """Read and validate one template file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise TemplateFileError(path, None, "does not exist") from None
    except json.JSONDecodeError as exc:
        raise TemplateFileError(
            path, None, f"is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from exc
    return parse_template(path.stem, data, schemas, path)


def load_all(directories, schemas):
    """Load every `*.json` template in `directories`: return ({key: Template}, [errors])."""
    templates, problems = {}, []
    for directory in directories:
        for path in sorted(Path(directory).glob("*.json")):
            try:
                template = load_template(path, schemas)
            except TemplateFileError as exc:
                problems.append(exc)
                continue
            if template.key in templates:
                problems.append(TemplateFileError(path, None, "repeats an existing name"))
                continue
            templates[template.key] = template
    return templates, problems


def to_proof_request(template, restrictions, today, thresholds=None):
    """Return the AnonCreds proof request for `template`.

    `restrictions(schema_name)` gives the restriction list for a schema; `thresholds`
    optionally replaces predicate values (or years) by predicate index.
    """
    thresholds = thresholds or {}
    attrs = {}
    for schema, attribute in template.reveal:
        group = attrs.setdefault(schema, {"names": [], "restrictions": restrictions(schema)})
        group["names"].append(attribute)
    preds = {}
    for i, pred in enumerate(template.predicates):
        if i in thresholds:
            if pred.years is not None:
                pred = Predicate(pred.schema, pred.attribute, "<=", None, thresholds[i])
            else:
                pred = Predicate(pred.schema, pred.attribute, pred.p_type, thresholds[i])
        preds[f"{pred.attribute}_{i}"] = {
            "name": pred.attribute,
            "p_type": pred.p_type,
            "p_value": pred.p_value(today),
            "restrictions": restrictions(pred.schema),
        }
    return {
        "name": template.name,
        "version": "1.0",
        "requested_attributes": {f"{s}_attrs": g for s, g in attrs.items()},
        "requested_predicates": preds,
    }


def save_template(template, directory):
    """Write `template` as `<key>.json` in `directory` (never over an existing file)."""
    path = Path(directory) / f"{template.key}.json"
    try:
        durable.write_json(path, template.to_json(), mode=0o644, replace=False, indent=2)
    except FileExistsError:
        raise InputError(
            f"A request template named '{template.key}' exists; pick another name."
        ) from None
    return path
