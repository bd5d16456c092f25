"""The policy evaluator: default ask, the person's rules decide, each decision names its rule."""

import pytest

from wallet.consent.policy import DEFAULT_RULE, Policy, Shape, evaluate, parse_policy
from wallet.errors import InputError

AGE_ONLY = {
    "requested_attributes": {},
    "requested_predicates": {
        "adult": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129}
    },
}
AGE_AND_NAME = {
    "requested_attributes": {"n": {"name": "family_name"}},
    "requested_predicates": AGE_ONLY["requested_predicates"],
}
BIRTHDATE = {"requested_attributes": {"b": {"name": "birthdate_dateint"}}}
COUNTRY = {"requested_attributes": {"c": {"names": ["nationality", "address_country"]}}}

RULES = parse_policy(
    {
        "version": 1,
        "attributes": {
            "birthdate_dateint": "never",
            "nationality": "allow",
            "address_country": "allow",
        },
        "firms": {"shop": "trusted", "bank": "trusted", "spam": "blocked"},
        "shapes": [
            {
                "id": "age-checks",
                "then": "approve",
                "when": {
                    "firm": "trusted",
                    "predicates_only": True,
                    "attributes": ["birthdate_dateint"],
                },
            },
            {
                "id": "strangers-asking-birthdate",
                "then": "decline",
                "when": {"firm": "unknown", "attributes": ["birthdate_dateint"]},
            },
        ],
    }
)


@pytest.mark.parametrize(
    ("policy", "request_", "firm", "action", "rule"),
    [
        (Policy(), AGE_ONLY, "shop", "ask", DEFAULT_RULE),
        (Policy(), COUNTRY, "shop", "ask", DEFAULT_RULE),
        (RULES, AGE_ONLY, "shop", "approve", "shape:age-checks"),
        (RULES, AGE_ONLY, "stranger", "decline", "shape:strangers-asking-birthdate"),
        (RULES, COUNTRY, "stranger", "ask", DEFAULT_RULE),
        (RULES, AGE_AND_NAME, "shop", "ask", DEFAULT_RULE),
        (RULES, BIRTHDATE, "shop", "ask", "attribute:birthdate_dateint"),
        (RULES, BIRTHDATE, "stranger", "decline", "shape:strangers-asking-birthdate"),
        (RULES, AGE_ONLY, "spam", "decline", "firm:spam"),
        (RULES, COUNTRY, "bank", "approve", "attributes:allow"),
    ],
)
def test_decisions_name_their_rule(policy, request_, firm, action, rule):
    decision = evaluate(policy, request_, firm)
    assert (decision.action, decision.rule) == (action, rule)
    assert decision.reason


def test_never_reveal_beats_an_approving_shape():
    policy = parse_policy(
        {
            "version": 1,
            "attributes": {"family_name": "never"},
            "firms": {"shop": "trusted"},
            "shapes": [{"id": "all-from-shop", "then": "approve", "when": {"firm": "trusted"}}],
        }
    )
    decision = evaluate(policy, AGE_AND_NAME, "shop")
    assert (decision.action, decision.rule) == ("ask", "attribute:family_name")


def test_round_trip_through_json():
    assert parse_policy(RULES.to_json()) == RULES


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be a JSON object"),
        ({"version": 2}, "version 2 is not 1"),
        ({"version": 1, "attributes": {"x": "sometimes"}}, "attributes.x: 'sometimes'"),
        ({"version": 1, "firms": {"x": "friend"}}, "firms.x: 'friend'"),
        ({"version": 1, "shapes": [{"then": "approve"}]}, "needs an 'id'"),
        ({"version": 1, "shapes": [{"id": "a", "then": "maybe"}]}, "shapes\\[0\\].then"),
        (
            {"version": 1, "shapes": [{"id": "a", "then": "ask"}, {"id": "a", "then": "ask"}]},
            "share one id",
        ),
    ],
)
def test_malformed_rules_are_refused(document, message):
    with pytest.raises(InputError, match=message):
        parse_policy(document)


ASK_FIRST = parse_policy(
    {
        "version": 1,
        "attributes": {"nationality": "ask"},
        "firms": {"shop": "trusted"},
        "shapes": [{"id": "all-from-shop", "then": "approve", "when": {"firm": "trusted"}}],
    }
)
SMALLER = {
    "requested_attributes": {"c": {"name": "nationality", "restrictions": [{"cred_def_id": "x"}]}},
    "requested_predicates": AGE_ONLY["requested_predicates"],
}
BOUND = {**SMALLER, "name": "proof-request", "nonce": "1"}
MORE = {**BOUND, "requested_attributes": {**BIRTHDATE["requested_attributes"], "c": {}}}


@pytest.mark.parametrize(
    ("policy", "request_", "firm", "proposal", "action", "rule"),
    [
        (ASK_FIRST, COUNTRY, "shop", None, "ask", "attribute:nationality"),
        (ASK_FIRST, AGE_ONLY, "shop", None, "approve", "shape:all-from-shop"),
        (Policy(), BOUND, "bank", SMALLER, "approve", "proposal:yours"),
        (Policy(), MORE, "bank", SMALLER, "ask", "proposal:changed"),
        (RULES, BOUND, "spam", SMALLER, "decline", "firm:spam"),
    ],
)
def test_ask_every_time_and_answers_to_own_proposals(
    policy, request_, firm, proposal, action, rule
):
    decision = evaluate(policy, request_, firm, proposal)
    assert (decision.action, decision.rule) == (action, rule)


def test_editing_rules_keeps_the_document_valid():
    policy = Policy().set_attribute("birthdate_dateint", "never").set_firm("conn-1", "trusted")
    policy = policy.add_shape(Shape("age", "approve", predicates_only=True))
    assert parse_policy(policy.to_json()) == policy
    assert policy.set_attribute("birthdate_dateint", "ask").attributes == {}
    assert policy.set_firm("conn-1", "unknown").firms == {}
    assert policy.remove_shape("age").shapes == ()
    with pytest.raises(InputError, match="exists"):
        policy.add_shape(Shape("age", "ask"))
    with pytest.raises(InputError):
        policy.set_firm("conn-1", "friend")
