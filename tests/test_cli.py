"""The `tessera` command's answers to bad input: one clear message, exit 2, nothing started."""

import json

import pytest
from click.testing import CliRunner

from wallet.cli import main


@pytest.fixture
def broken_schemas(tmp_path):
    directory = tmp_path / "schemas"
    directory.mkdir()
    (directory / "identity.json").write_text('{"name": "identity", "version": "1.0"}')
    return directory


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--schemas", "/nonexistent/schemas"], "is not a directory of schema files"),
        (["--person", "/nonexistent/alice.json"], "Cannot read the person's data"),
    ],
)
def test_scenario_refuses_missing_files_before_starting_anything(tmp_path, args, message):
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["scenario", "--home", str(home), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not home.exists()


def test_malformed_schema_names_file_and_field(tmp_path, broken_schemas):
    result = CliRunner().invoke(
        main,
        ["scenario", "--json", "--home", str(tmp_path / "h"), "--schemas", str(broken_schemas)],
    )
    assert result.exit_code == 2
    error = json.loads(result.output.splitlines()[0])
    assert error["kind"] == "SchemaFileError"
    assert "identity.json: field 'label' is missing" in error["error"]
