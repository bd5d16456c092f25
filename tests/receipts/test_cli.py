"""`tessera receipt verify FILE` says which signature fails."""

import json

from click.testing import CliRunner

from wallet.receipts.cli import receipt

from .samples import countersigned


def _run(tmp_path, data):
    path = tmp_path / "receipt.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return CliRunner().invoke(receipt, ["verify", str(path)])


def test_valid_receipt_passes(tmp_path):
    result = _run(tmp_path, countersigned())
    assert result.exit_code == 0
    assert "holder signature: valid" in result.output
    assert "firm signature: valid" in result.output


def test_forged_firm_signature_is_named(tmp_path):
    signed = countersigned()
    signed["signatures"]["firm"] = signed["signatures"]["holder"]
    result = _run(tmp_path, signed)
    assert result.exit_code == 1
    assert "holder signature: valid" in result.output
    assert "firm signature: INVALID" in result.output


def test_tampered_receipt_fails_both(tmp_path):
    signed = countersigned() | {"retention": "P99Y"}
    result = _run(tmp_path, signed)
    assert result.exit_code == 1
    assert "holder signature: INVALID" in result.output


def test_unreadable_file_is_a_clear_error(tmp_path):
    result = _run(tmp_path, "{not json")
    assert result.exit_code == 2
    assert "Cannot read a JSON receipt" in result.output
