"""The Credo harness says why it cannot run: a skip outside CI, a failure in CI."""

import pytest

from . import credo


@pytest.mark.parametrize(
    ("environ", "ci"),
    [({}, False), ({"CI": ""}, False), ({"CI": "false"}, False), ({"CI": "0"}, False),
     ({"CI": "true"}, True), ({"CI": "1"}, True)],
)  # fmt: skip
def test_ci_is_told_by_the_environment(environ, ci):
    assert credo.in_ci(environ) is ci


@pytest.mark.parametrize(
    ("ci", "outcome"),
    [(True, pytest.fail.Exception), (False, pytest.skip.Exception)],
)
def test_a_missing_setup_fails_in_ci_and_skips_elsewhere(ci, outcome):
    with pytest.raises(outcome, match="node is not on PATH"):
        credo.require_setup("node is not on PATH (install Node.js 20)", ci)


def test_a_working_setup_neither_fails_nor_skips():
    credo.require_setup(None, ci=True)


def test_missing_node_is_named(monkeypatch):
    monkeypatch.setattr(credo.shutil, "which", lambda name: None)
    assert "node is not on PATH" in credo.setup_problem()


def test_missing_packages_are_named(tmp_path):
    if credo.shutil.which("node") is None:
        pytest.skip("no node on this machine: the node check answers first")
    assert "no node_modules" in credo.setup_problem(here=tmp_path)
