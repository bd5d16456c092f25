"""After the person rejects a firm's terms, the firm can offer them again at a new price
(#19.5): the next revision on the same terms thread, while the request is still open."""

import pytest

from console.conftest import make_console
from console.test_console_words import OFFERED, PRES_EX, ExchangeAdmin, answered_exchange
from wallet.agent.handle import Agent


class SendingAdmin(ExchangeAdmin):
    """Records the terms messages the console sends."""

    def __init__(self, records, messages=()):
        super().__init__(records, messages)
        self.sent = []

    def post(self, path, body=None, **params):
        if path == "/tessera-terms/send":
            self.sent.append(body)
            return {"thread_id": body.get("thread_id"), "record_id": "m-9"}
        return super().post(path, body, **params)


def _console(tmp_path, state, decision):
    answer = {"decision": decision, "price": {}, "reason": "Too cheap", "revision": 0}
    admin = SendingAdmin(*answered_exchange(state, answer))
    return make_console("verifier", Agent("verifier", admin), tmp_path), admin


@pytest.mark.parametrize(
    ("state", "decision", "offered"),
    [
        ("request-sent", "reject", True),
        ("abandoned", "reject", False),  # over: a new request, not new terms
        ("request-sent", "accept", False),  # agreed: nothing to offer again
    ],
)
def test_rejected_terms_can_be_offered_again_at_a_new_price_while_the_request_is_open(
    tmp_path, state, decision, offered
):
    console, admin = _console(tmp_path, state, decision)
    page = console.get(f"/verifier/results/{PRES_EX}").text
    assert ('id="offer-again"' in page) is offered
    if decision == "reject":
        assert "The person rejected these terms: “Too cheap”" in page
    answer = console.post(
        f"/verifier/terms/offer-again/{PRES_EX}", {"amount": "0.80", "currency": "eur"}
    )
    if not offered:
        assert answer.status_code == 400 and admin.sent == []
        return
    assert answer.status_code == 302
    [sent] = admin.sent
    assert sent["kind"] == "offer" and sent["thread_id"] == "terms-thread"
    body = sent["body"]
    assert body["price"] == {"amount": "0.80", "currency": "EUR"}
    assert body["revision"] == 1 and body["request_thread_id"] == "request-thread"
    assert {k: body[k] for k in ("purpose", "retention", "onward_sharing")} == {
        k: OFFERED[k] for k in ("purpose", "retention", "onward_sharing")
    }


def test_a_bad_new_price_is_refused_and_nothing_is_sent(tmp_path):
    console, admin = _console(tmp_path, "request-sent", "reject")
    answer = console.post(
        f"/verifier/terms/offer-again/{PRES_EX}", {"amount": "-1", "currency": "EUR"}
    )
    assert answer.status_code == 400 and "price" in answer.text and admin.sent == []
