"""No free data while the price is pending: a separate, confirmed step to send for free (#19.2)."""

import re

import pytest

from .fake_agent import AGE_INCOME_REQUEST, INCOME, NATIONAL_ID
from .fake_terms import FakeTermsAcaPy

OFFER = {
    "purpose": "credit-check",
    "purpose_text": "",
    "legal_basis": "contract",
    "retention": "P1Y",
    "onward_sharing": False,
    "price": {"amount": "0.10", "currency": "EUR"},
    "request_thread_id": "p-1",
    "revision": 0,
    "firm_key": "did:key:z6Mk",
}


@pytest.fixture
def fake():
    """The fake agent with the terms routes."""
    return FakeTermsAcaPy()


def _sent(fake):
    return [b for m, p, b in fake.posted if p.endswith("/send-presentation")]


def _digest(text):
    return re.search(r'name="digest" value="([0-9a-f]+)"', text).group(1)


def _answered(fake, decision):
    fake.add_message(
        kind="response",
        direction="sent",
        connection_id="conn-verifier",
        body={"decision": decision, "price": {}, "reason": "", "revision": 0},
        receipt_id="",
    )


@pytest.fixture
def offered(unlocked, fake):
    """A request with an offer of terms the person has not agreed."""
    fake.add_credential(NATIONAL_ID)
    fake.add_credential(INCOME)
    pres_ex_id = fake.add_request(AGE_INCOME_REQUEST)
    fake.requests[pres_ex_id]["thread_id"] = "p-1"
    fake.add_message(kind="offer", connection_id="conn-verifier", body=OFFER, receipt_id="")
    return pres_ex_id


@pytest.mark.parametrize("answer", [None, "reject", "counter"])
def test_approve_with_terms_pending_sends_nothing_until_confirmed(offered, unlocked, fake, answer):
    if answer:
        _answered(fake, answer)
    path = f"/requests/{offered}"
    digest = _digest(unlocked.client.get(path).get_data(as_text=True))
    held = unlocked.post(f"{path}/approve", {"digest": digest}, form_page=path)
    page = held.get_data(as_text=True)
    assert held.status_code == 200
    assert "has not agreed to your price: send for free?" in page
    assert _sent(fake) == []
    # The confirmation carries the same answer; only its own button sends it.
    assert f'name="digest" value="{digest}"' in page and 'name="free" value="yes"' in page
    sent = unlocked.post(f"{path}/approve", {"digest": digest, "free": "yes"}, form_page=path)
    assert sent.status_code == 302 and len(_sent(fake)) == 1


def test_agreed_terms_send_without_the_extra_step(offered, unlocked, fake):
    _answered(fake, "accept")
    path = f"/requests/{offered}"
    digest = _digest(unlocked.client.get(path).get_data(as_text=True))
    sent = unlocked.post(f"{path}/approve", {"digest": digest}, form_page=path)
    assert sent.status_code == 302 and len(_sent(fake)) == 1


def test_api_approve_needs_free_true_while_terms_are_pending(offered, unlocked, app, fake):
    token = app.extensions["tokens"].create("script")[1]
    headers = {"Authorization": f"Bearer {token}"}
    digest = unlocked.client.get(f"/api/v1/requests/{offered}", headers=headers).get_json()[
        "digest"
    ]
    url = f"/api/v1/requests/{offered}/approve"
    held = unlocked.client.post(url, json={"digest": digest}, headers=headers)
    assert held.status_code == 400 and "not agreed to your price" in held.get_json()["message"]
    assert _sent(fake) == []
    sent = unlocked.client.post(url, json={"digest": digest, "free": True}, headers=headers)
    assert sent.status_code == 200 and len(_sent(fake)) == 1


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_route_answers_json_404(unlocked, app, client, method):
    anonymous = getattr(client, method)("/api/v1/no-such-thing/here")
    assert anonymous.status_code == 401 and anonymous.is_json  # JSON, not the unlock page
    token = app.extensions["tokens"].create("script")[1]
    headers = {"Authorization": f"Bearer {token}"}
    response = getattr(client, method)("/api/v1/no-such-thing/here", headers=headers)
    assert response.status_code == 404 and response.is_json
    assert "no API route" in response.get_json()["message"]


def _positions(html, marks):
    found = {mark: html.find(mark) for mark in marks}
    assert all(i >= 0 for i in found.values()), found
    return [found[mark] for mark in marks]


@pytest.mark.parametrize("terms", ["offered", "none"])
def test_the_consent_screen_reads_in_the_order_a_person_decides(
    unlocked, client, fake, offered, terms
):
    """What leaves first, then the terms and the advice; Approve and Decline together last."""
    if terms == "none":
        fake.messages.clear()
    html = client.get(f"/requests/{offered}").get_data(as_text=True)
    order = [
        '<section class="revealed">',
        '<section class="predicates">',
        'id="terms"',
        'id="advice"',
        f'<form method="post" action="/requests/{offered}/decline"',
        '<div class="actions" id="actions"',
    ]
    assert _positions(html, order) == sorted(_positions(html, order))
    actions = html[html.find('<div class="actions"') :]
    assert '<button type="submit" form="consent" id="approve">' in actions
    assert 'href="#decline" id="to-decline"' in actions
    assert ('id="terms-open-note"' in actions) is (terms == "offered")
