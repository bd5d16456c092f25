"""The terms gate on automatic approvals (a table): no data leaves free while terms the
firm offered are not agreed, whatever the person's rule for requests without terms."""

from types import SimpleNamespace

import pytest

from wallet.consent.policy import Decision
from wallet.holder import terms_view

OFFER = {
    "kind": "offer",
    "direction": "received",
    "status": "accepted",
    "connection_id": "conn-1",
    "thread_id": "terms-1",
    "body": {"request_thread_id": "request-1", "revision": 0},
}


def _response(decision):
    return {
        "kind": "response",
        "direction": "sent",
        "status": "accepted",
        "connection_id": "conn-1",
        "thread_id": "terms-1",
        "body": {"decision": decision, "revision": 0},
    }


class FakeAdmin:
    """Answers the terms plugin's message list, filtered as the plugin filters."""

    def __init__(self, messages):
        self.messages = messages

    def get(self, path, **params):
        assert path == "/tessera-terms/messages"
        found = [m for m in self.messages if all(m.get(k) == v for k, v in params.items())]
        return {"results": found}


@pytest.mark.parametrize(
    ("messages", "rule", "action", "by"),
    [
        ([], "rules", "approve", "shape:adult"),
        ([], "ask", "ask", terms_view.NO_TERMS_GATE),
        ([OFFER], "rules", "ask", terms_view.OPEN_TERMS_GATE),
        ([OFFER], "ask", "ask", terms_view.OPEN_TERMS_GATE),
        ([OFFER, _response("counter")], "rules", "ask", terms_view.OPEN_TERMS_GATE),
        ([OFFER, _response("reject")], "rules", "ask", terms_view.OPEN_TERMS_GATE),
        ([OFFER, _response("accept")], "rules", "approve", "shape:adult"),
        ([OFFER, _response("accept")], "ask", "approve", "shape:adult"),
    ],
)
def test_automatic_approval_waits_for_agreed_terms(tmp_path, messages, rule, action, by):
    terms_view.save_rule(tmp_path, rule)
    agent = SimpleNamespace(admin=FakeAdmin(messages))
    record = SimpleNamespace(pres_ex_id="px-1", thread_id="request-1", connection_id="conn-1")
    decided = terms_view.gate(agent, tmp_path, record, Decision("approve", "shape:adult", ""))
    assert (decided.action, decided.rule) == (action, by)
