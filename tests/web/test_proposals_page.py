"""The Requests page and the API say what firms did with the person's smaller answers."""

import datetime

import pytest

from .conftest import TODAY
from .test_api import auth, token  # noqa: F401 (the token fixture)

SMALLER = {"name": "Loan (smaller answer)", "requested_attributes": {}, "requested_predicates": {}}


def _proposal(fake, state, error=None, days_ago=1):
    pres_ex_id = fake._id("px")
    fake.requests[pres_ex_id] = {
        "pres_ex_id": pres_ex_id,
        "thread_id": f"thread-{pres_ex_id}",
        "connection_id": "conn-verifier",
        "state": state,
        "role": "prover",
        "error_msg": error,
        "created_at": "2026-03-01T00:00:00Z",
        "updated_at": (TODAY - datetime.timedelta(days=days_ago)).isoformat(),
        "by_format": {"pres_proposal": {"anoncreds": SMALLER}},
    }
    fake.emit("present_proof_v2_0", fake.requests[pres_ex_id])  # as the agent's webhook
    return pres_ex_id


@pytest.mark.parametrize(
    ("state", "error", "days_ago", "says"),
    [
        ("proposal-sent", None, 1, "waiting for"),
        ("abandoned", "abandoned: We need your exact income", 2, "declined it</strong>: “We need"),
        ("abandoned", None, 2, "declined it</strong>, giving no reason"),
        ("abandoned", "created problem report: withdrawn", 2, None),  # the person's own doing
        ("abandoned", "abandoned: too old to show", 45, None),
    ],
)
def test_requests_page_says_what_the_firm_did(unlocked, client, fake, state, error, days_ago, says):
    _proposal(fake, state, error, days_ago)
    html = client.get("/requests/").get_data(as_text=True)
    if says is None:
        assert 'id="proposals"' not in html
    else:
        assert 'id="proposals"' in html and says in html and "Loan (smaller answer) to" in html


def test_the_api_lists_the_proposals(fake, client, token):  # noqa: F811
    _proposal(fake, "abandoned", "abandoned: We need your exact income")
    answer = client.get("/api/v1/proposals", headers=auth(token))
    assert answer.status_code == 200
    [found] = answer.get_json()["results"]
    assert (found["status"], found["reason"]) == ("declined", "We need your exact income")
