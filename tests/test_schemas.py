"""Loading credential schemas: the shipped files, and malformed files named precisely."""

import json

import pytest

from wallet.errors import InputError, SchemaFileError
from wallet.schemas import SCHEMA_DIR, check_values, dateint_to_date, load_all, load_schema

GOOD = {
    "name": "membership",
    "version": "1.0",
    "label": "Membership",
    "attributes": [
        {"name": "member_id", "label": "Member id", "type": "string", "sensitivity": "low"},
        {"name": "joined_dateint", "label": "Joined", "type": "dateint", "sensitivity": "low"},
    ],
}


def test_shipped_schemas_load_with_required_attributes():
    schemas = load_all(SCHEMA_DIR)
    identity = schemas["national_id"].attr_names
    income = schemas["employment_income"].attr_names
    for name in (
        "given_name",
        "family_name",
        "birthdate_dateint",
        "nationality",
        "address_country",
        "address_city",
    ):
        assert name in identity
    for name in ("employer", "job_title", "annual_income", "employed_since_dateint"):
        assert name in income
    assert schemas["national_id"].attribute("birthdate_dateint").sensitivity == "high"


def _mutate(path, value):
    data = json.loads(json.dumps(GOOD))
    target = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "problem"),
    [
        ("name", KeyError, "name", "is missing"),
        ("name", "Has Spaces", "name", "lower_snake_case"),
        ("version", "one", "version", "must look like"),
        ("attributes", [], "attributes", "at least one"),
        ("attributes", "x", "attributes", "must be a list"),
        ("attributes.0.label", KeyError, "attributes[0].label", "is missing"),
        ("attributes.0.type", "float", "attributes[0].type", "not one of"),
        ("attributes.0.sensitivity", "secret", "attributes[0].sensitivity", "not one of"),
        ("attributes.1.name", "joined", "attributes[1].name", "must end in '_dateint'"),
        ("attributes.0.name", "joined_dateint", "attributes", "duplicate names: joined_dateint"),
    ],
)
def test_malformed_schema_names_file_and_field(tmp_path, path, value, field, problem):
    target = tmp_path / "broken.json"
    target.write_text(json.dumps(_mutate(path, value)))
    with pytest.raises(SchemaFileError) as caught:
        load_schema(target)
    assert caught.value.field == field
    assert str(target) in str(caught.value)
    assert problem in str(caught.value)


def test_invalid_json_names_the_line(tmp_path):
    target = tmp_path / "bad.json"
    target.write_text('{\n "name": "x",\n oops\n}')
    with pytest.raises(SchemaFileError, match=r"bad.json: is not valid JSON \(line 3"):
        load_schema(target)


def test_missing_file_and_empty_directory(tmp_path):
    with pytest.raises(SchemaFileError, match="does not exist"):
        load_schema(tmp_path / "nope.json")
    with pytest.raises(SchemaFileError, match=r"no \*\.json schema file"):
        load_all(tmp_path)


def test_two_files_with_one_name_are_refused(tmp_path):
    for stem in ("a", "b"):
        (tmp_path / f"{stem}.json").write_text(json.dumps(GOOD))
    with pytest.raises(SchemaFileError, match="already used"):
        load_all(tmp_path)


IDENTITY = {
    "given_name": "Alice",
    "family_name": "M",
    "birthdate_dateint": "19900415",
    "nationality": "FR",
    "address_country": "FR",
    "address_city": "Lyon",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_name": None}, "Given name \\(given_name\\) is missing"),
        ({"address_city": "  "}, "is missing"),
        ({"birthdate_dateint": "20230230"}, "not a date"),
        ({"birthdate_dateint": "1990-01-01"}, "not a date"),
        ({"nationality": "France"}, "two-letter country code"),
        ({"shoe_size": "42"}, "has no attribute shoe_size"),
    ],
)
def test_check_values_refuses_bad_values(changes, message):
    values = {**IDENTITY, **changes}
    values = {k: v for k, v in values.items() if v is not None}
    with pytest.raises(InputError, match=message):
        check_values(load_all()["national_id"], values)


def test_check_values_returns_strings_in_schema_order():
    shuffled = dict(reversed(list(IDENTITY.items())))
    checked = check_values(load_all()["national_id"], shuffled)
    assert list(checked) == list(IDENTITY)


@pytest.mark.parametrize("raw", ["12a", "1.5", "99999999999"])
def test_income_must_be_a_whole_number_within_32_bits(raw):
    schema = load_all()["employment_income"]
    values = {
        "employer": "E",
        "job_title": "J",
        "annual_income": raw,
        "employed_since_dateint": "20180901",
    }
    with pytest.raises(InputError, match="whole number"):
        check_values(schema, values)


def test_dateint_round_trip():
    assert dateint_to_date("20240229").isoformat() == "2024-02-29"
    with pytest.raises(InputError):
        dateint_to_date("20230229")
