"""Hostile and hidden parts of proof requests, found before anything is shown or sent."""

import pytest

from wallet.consent.request_checks import Condition, check, conflict_reason
from wallet.schemas import load_all

SCHEMAS = load_all()
ID = [{"cred_def_id": "did:tessera:z6Mk/creddef/abc"}]


def req(attrs=None, preds=None, **extra):
    """Return a proof request with the given items."""
    return {
        "name": "test",
        "version": "1.0",
        "requested_attributes": attrs if attrs is not None else {},
        "requested_predicates": preds if preds is not None else {},
        **extra,
    }


AGE = {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129, "restrictions": ID}
NAT = {"names": ["nationality"], "restrictions": ID}


@pytest.mark.parametrize(
    ("request_", "says"),
    [
        ([], "not a proof request"),
        ("x", "not a proof request"),
        (req(), "asks for nothing"),
        (req(attrs=[]), "requested_attributes is not a list"),
        (req(preds="x"), "requested_predicates is not a list"),
        (req({"a": "nationality"}), "not an object"),
        (req({"a": {}}), "names no attribute"),
        (req({"a": {"names": []}}), "names no attribute"),
        (req({"a": {"names": [5]}}), "names no attribute"),
        (req({"a": {"names": ["x"], "name": "y"}}), "names no attribute"),
        (req({"a": {"name": "x" * 500}}), "names no attribute"),
        (req(preds={"p": {**AGE, "p_value": 2147483648}}), "out of range"),
        (req(preds={"p": {**AGE, "p_value": 20230230}}), "date that does not exist"),
        (req(preds={"p": {**AGE, "p_value": 2147483647}}), "date that does not exist"),
        (req(preds={"p": {**AGE, "p_value": "18"}}), "not a number"),
        (req(preds={"p": {**AGE, "p_value": True}}), "not a number"),
        (req(preds={"p": {**AGE, "p_type": "=="}}), "not a comparison"),
        (req(preds={"p": {**AGE, "name": None}}), "names no attribute"),
        (req(preds={"p": 5}), "not an object"),
        (req({"a": {**NAT, "restrictions": {"cred_def_id": "x"}}}), "restrictions are not"),
        (req({"a": {**NAT, "restrictions": ["x"]}}), "restrictions are not"),
        (req({"a": NAT}, non_revoked={"to": "now"}), "revocation interval"),
        (req({f"a{n}": NAT for n in range(65)}), "more than 64 items"),
    ],
)
def test_malformed_or_hostile_requests_are_problems_with_words(request_, says):
    found = check(request_, SCHEMAS)
    assert found.hostile and not found.automatic_allowed
    assert any(says in problem for problem in found.problems), found.problems


@pytest.mark.parametrize(
    "request_",
    [
        req({"a": NAT}, {"p": AGE}),
        req({"a": {"name": "nationality"}}),  # no restriction: self-attested
        req(preds={"p": {**AGE, "p_value": 19000101}}, non_revoked={"from": 1, "to": 2}),
        req({"a": {**NAT, "restrictions": [{"attr::nationality::marker": "1", **ID[0]}]}}),
        req(preds={"p": {"name": "annual_income", "p_type": ">=", "p_value": -5}}),
    ],
)
def test_fair_requests_have_no_findings(request_):
    found = check(request_, SCHEMAS)
    assert (found.problems, found.conditions, found.conflicts) == ([], [], [])
    assert found.automatic_allowed


def test_a_restriction_on_a_hidden_value_is_a_condition_said_in_words():
    hidden = {**ID[0], "attr::address_city::value": "Villeurbanne"}
    found = check(req(preds={"p": {**AGE, "restrictions": [hidden]}}), SCHEMAS)
    assert not found.hostile and not found.automatic_allowed
    assert found.conditions == [Condition("p", "address_city", "Villeurbanne")]
    words = found.conditions[0].sentence("City of residence")
    assert "City of residence is 'Villeurbanne'" in words and "tells the firm" in words


@pytest.mark.parametrize(
    "restriction",
    [{"$or": [{"cred_def_id": "x"}]}, {"attr::address_city::value": 5}, {"whatever": "x"}],
)
def test_restrictions_the_wallet_cannot_read_are_conditions_too(restriction):
    found = check(req({"a": {**NAT, "restrictions": [restriction]}}), SCHEMAS)
    assert [c.readable for c in found.conditions] == [False]
    assert "cannot read" in found.conditions[0].sentence()


def test_the_same_attribute_revealed_and_proven_is_a_conflict_with_a_reason():
    both = req({"a": {"names": ["birthdate_dateint"], "restrictions": ID}}, {"p": AGE})
    found = check(both, SCHEMAS)
    assert found.conflicts == ["birthdate_dateint"]
    assert not found.hostile and not found.automatic_allowed
    assert "both as a value and as a proven fact" in conflict_reason("x", "date of birth")
