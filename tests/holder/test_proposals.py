"""The person's smaller answers and what each firm did with them (#19.5)."""

import datetime
from dataclasses import replace

import pytest

from wallet.flows.records import PresExchange
from wallet.holder import proposals
from wallet.holder.waiting import Waiting

NOW = datetime.datetime(2031, 3, 2, 12, 0, tzinfo=datetime.UTC)
SMALLER = {"name": "Loan (smaller answer)", "requested_attributes": {}, "requested_predicates": {}}
LABELS = {"conn-bank": "Acme Bank"}


def _record(state, error=None, request=False, proposal=True, updated=NOW, conn="conn-bank"):
    by_format = {}
    if proposal:
        by_format["pres_proposal"] = {"anoncreds": SMALLER}
    if request:
        by_format["pres_request"] = {"anoncreds": SMALLER}
    return PresExchange.from_agent(
        {
            "pres_ex_id": "px-1",
            "connection_id": conn,
            "state": state,
            "role": "prover",
            "error_msg": error,
            "updated_at": updated.isoformat(),
            "by_format": by_format,
        }
    )


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (_record("proposal-sent"), ("waiting", "")),
        (
            _record("abandoned", "abandoned: We need your exact income for the loan file"),
            ("declined", "We need your exact income for the loan file"),
        ),
        (_record("abandoned", "abandoned"), ("declined", "abandoned")),  # a code alone
        (_record("abandoned", None), ("declined", "")),
        (_record("abandoned", "created problem report: the person withdrew it"), None),
        (_record("request-received", request=True), None),  # accepted: a request now
        (_record("abandoned", "abandoned: no", request=True), None),  # a request declined
        (_record("request-received", proposal=False, request=True), None),  # a plain request
        (_record("presentation-sent", request=True), None),
    ],
    ids=[
        "waiting",
        "declined-with-words",
        "declined-code-only",
        "declined-silently",
        "withdrawn-by-the-person",
        "accepted",
        "request-declined",
        "plain-request",
        "answered",
    ],
)
def test_what_the_firm_did_with_a_smaller_answer(record, expected):
    found = proposals.of(record, LABELS)
    assert (None if found is None else (found.status, found.reason)) == expected
    if found is not None:
        assert (found.who, found.name) == ("Acme Bank", "Loan (smaller answer)")


class Agent:
    def __init__(self, records):
        self.records = {f"px-{i}": replace(r, pres_ex_id=f"px-{i}") for i, r in enumerate(records)}
        self.admin = self

    def get(self, path, **params):
        if path == "/present-proof-2.0/records":
            assert params["role"] == "prover"
            return {"results": [r.to_agent() for r in self.records.values()]}
        if path == "/issue-credential-2.0/records":
            return {"results": []}
        return self.records[path.rsplit("/", 1)[1]].to_agent()


def test_recent_shows_the_last_thirty_days_newest_first_at_most_ten():
    days = [0, 3, 29, 31, *range(4, 14)]
    agent = Agent(
        [_record("proposal-sent", updated=NOW - datetime.timedelta(days=d)) for d in days]
    )
    shown = proposals.recent(agent, LABELS, NOW, Waiting(lambda: NOW))
    ages = [(NOW - datetime.datetime.fromisoformat(p.updated_at)).days for p in shown]
    assert ages == sorted(d for d in days if d <= 30)[:10]
