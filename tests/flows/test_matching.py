"""Choosing credentials: revoked ones and ones failing a predicate are never offered."""

import pytest

from wallet.errors import InputError, UnsatisfiableRequest
from wallet.flows.matching import Candidate, choose, predicate_holds, unanswerable, usable

REQUEST = {
    "requested_attributes": {"nat": {"name": "nationality"}},
    "requested_predicates": {
        "adult": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129},
        "income": {"name": "annual_income", "p_type": ">=", "p_value": 30000},
    },
}


def cand(cred_id, referents, rev_reg_id=None, **attrs):
    return Candidate(cred_id, attrs, "schema", "creddef", rev_reg_id, frozenset(referents))


ID_OLD = cand("id-old", {"nat", "adult"}, nationality="FR", birthdate_dateint="19900415")
ID_YOUNG = cand("id-young", {"nat", "adult"}, nationality="BE", birthdate_dateint="20100101")
JOB_RICH = cand("job-rich", {"income"}, annual_income="52750")
JOB_POOR = cand("job-poor", {"income"}, annual_income="21000")


@pytest.mark.parametrize(
    ("p_type", "bound", "value", "holds"),
    [
        (">=", 30000, "30000", True),
        (">=", 30000, "29999", False),
        (">", 30000, "30000", False),
        ("<=", 20081129, "20081129", True),
        ("<=", 20081129, "20081130", False),
        ("<", 10, "9", True),
        (">=", 1, "not a number", False),
    ],
)
def test_predicate_holds(p_type, bound, value, holds):
    assert predicate_holds({"p_type": p_type, "p_value": bound}, value) is holds


def test_unknown_predicate_type_is_an_input_error():
    with pytest.raises(InputError, match="Unknown predicate type"):
        predicate_holds({"p_type": "==", "p_value": 1}, "1")


def test_candidates_failing_a_predicate_are_dropped():
    options = usable(REQUEST, [ID_OLD, ID_YOUNG, JOB_RICH, JOB_POOR])
    assert [c.cred_id for c in options["adult"]] == ["id-old"]
    assert [c.cred_id for c in options["income"]] == ["job-rich"]
    # Revealing nationality needs no predicate: both identity credentials can.
    assert [c.cred_id for c in options["nat"]] == ["id-old", "id-young"]


def test_revoked_candidates_are_dropped_everywhere():
    options = usable(REQUEST, [ID_OLD, JOB_RICH], revoked=frozenset({"id-old"}))
    assert options["nat"] == [] and options["adult"] == []
    assert set(unanswerable(REQUEST, options)) == {"nat", "adult"}


def test_choose_picks_the_first_usable_and_reveals_attributes():
    body = choose(REQUEST, usable(REQUEST, [ID_YOUNG, ID_OLD, JOB_POOR, JOB_RICH]))
    assert body == {
        "requested_attributes": {"nat": {"cred_id": "id-young", "revealed": True}},
        "requested_predicates": {"adult": {"cred_id": "id-old"}, "income": {"cred_id": "job-rich"}},
        "self_attested_attributes": {},
    }


def test_choose_honours_the_persons_choice_and_refuses_an_unusable_one():
    options = usable(REQUEST, [ID_YOUNG, ID_OLD, JOB_RICH])
    body = choose(REQUEST, options, chosen={"nat": "id-old"})
    assert body["requested_attributes"]["nat"]["cred_id"] == "id-old"
    with pytest.raises(InputError, match="cannot answer adult"):
        choose(REQUEST, options, chosen={"adult": "id-young"})


def test_unsatisfiable_request_names_each_missing_item():
    with pytest.raises(UnsatisfiableRequest) as caught:
        choose(REQUEST, usable(REQUEST, [ID_OLD, JOB_POOR]))
    assert caught.value.missing == {"income": "no credential proves annual_income >= 30000"}


def test_self_attested_value_answers_an_item_with_no_credential():
    request = {"requested_attributes": {"email": {"name": "email"}}}
    body = choose(request, usable(request, []), self_attested={"email": "a@example.org"})
    assert body["self_attested_attributes"] == {"email": "a@example.org"}
    assert body["requested_attributes"] == {}


def test_attribute_group_needs_every_name():
    request = {"requested_attributes": {"who": {"names": ["given_name", "family_name"]}}}
    partial = cand("c1", {"who"}, given_name="A")
    full = cand("c2", {"who"}, given_name="A", family_name="B")
    assert [c.cred_id for c in usable(request, [partial, full])["who"]] == ["c2"]
