"""The firm's view of one request's terms: each status from the messages on its thread."""

import pytest

from wallet.console.firm_terms import Negotiation

OFFER = {"kind": "offer", "body": {"revision": 0}}


def answer(decision):
    return {"kind": "response", "body": {"decision": decision, "revision": 0}}


def problem(not_supported):
    return {"kind": "problem-report", "body": {"not_supported": not_supported}}


@pytest.mark.parametrize(
    ("offer", "answer_", "problem_", "status"),
    [
        (None, None, None, "none"),
        (OFFER, None, None, "offered"),
        (OFFER, answer("accept"), None, "agreed"),
        (OFFER, answer("counter"), None, "countered"),
        (OFFER, answer("reject"), None, "rejected"),
        (OFFER, None, problem(True), "not used"),
        (OFFER, None, problem(False), "refused"),
        (OFFER, answer("accept"), problem(True), "agreed"),  # an answer outweighs a report
    ],
)
def test_status(offer, answer_, problem_, status):
    assert Negotiation(offer, answer_, problem_).status == status
