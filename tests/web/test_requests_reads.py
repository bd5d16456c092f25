"""The consent screen reads the connections, the exchange record and the terms once (fake agent).

Each admin call is counted where the fake agent answers it, so a read repeated anywhere
between the page and the admin client shows up here. Only the calls made on the thread
rendering the page count: the wallet's own rules read the same request in the background.
"""

import re
import threading
from collections import Counter

import pytest

from .fake_agent import AGE_INCOME_REQUEST, INCOME, NATIONAL_ID
from .fake_terms import WINE_OFFER, FakeTermsAcaPy

THREAD = WINE_OFFER["request_thread_id"]
EMPTY = {"name": "Empty", "requested_attributes": {}, "requested_predicates": {}}


class CountingAcaPy(FakeTermsAcaPy):
    """`FakeTermsAcaPy` keeping the admin calls it answers: (thread, method, path, query)."""

    def __init__(self):
        """Start with no calls."""
        super().__init__()
        self.calls = []

    def handle(self, request):
        """Keep the call, then answer it."""
        call = (threading.get_ident(), request.method, request.url.path, dict(request.url.params))
        self.calls.append(call)
        return super().handle(request)

    def reads(self, pres_ex_id):
        """Return {what: how many} of this thread's reads of connections, record and terms."""
        found = Counter()
        for thread, method, path, query in self.calls:
            if thread != threading.get_ident() or method != "GET":
                continue
            if path == "/connections":
                found["connections"] += 1
            elif path == f"/present-proof-2.0/records/{pres_ex_id}":
                found["record"] += 1
            elif path == "/tessera-terms/messages":
                found[f"terms {query.get('kind')}"] += 1
        return dict(found)


@pytest.fixture
def fake():
    """The fake agent with the terms routes, counting calls."""
    return CountingAcaPy()


def _response(decision):
    """The person's answer to the offer (revision 0), as sent."""
    price = {"amount": "2.80", "currency": "EUR"} if decision == "counter" else {}
    body = {"decision": decision, "revision": 0, "price": price, "reason": ""}
    return {"kind": "response", "direction": "sent", "connection_id": "conn-verifier", "body": body}


ONCE = {"connections": 1, "record": 1}
TERMS = {**ONCE, "terms offer": 1, "terms response": 1}
CASES = {
    # case: (request, its connection, terms messages, reads per render, shown on the page)
    "no terms": (AGE_INCOME_REQUEST, "conn-verifier", [], {**ONCE, "terms offer": 1}, "none"),
    "terms offered": (AGE_INCOME_REQUEST, "conn-verifier", ["offer"], TERMS, "offered"),
    "terms countered": (
        AGE_INCOME_REQUEST,
        "conn-verifier",
        ["offer", "counter"],
        TERMS,
        'id="terms-answered"',
    ),
    "terms agreed": (AGE_INCOME_REQUEST, "conn-verifier", ["offer", "accept"], TERMS, "agreed"),
    "no connection": (AGE_INCOME_REQUEST, None, [], ONCE, "none"),
    "set aside": (EMPTY, "conn-verifier", [], ONCE, "asks for nothing at all"),
}
SHOWN = {
    "none": 'data-status="no terms stated"',
    "offered": 'data-status="offered"',
    "agreed": 'data-status="agreed"',
}


@pytest.fixture
def bearer(unlocked):
    """The Authorization header of a JSON API token created on the settings page."""
    response = unlocked.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    token = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))[1]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(
    ("request_", "connection", "messages", "reads", "shown"), CASES.values(), ids=CASES.keys()
)
def test_consent_screen_reads_connections_record_and_terms_once(
    unlocked, bearer, fake, surface, request_, connection, messages, reads, shown
):
    fake.add_credential(NATIONAL_ID)
    fake.add_credential(INCOME)
    pres_ex_id = fake.add_request(request_, conn=connection)
    fake.requests[pres_ex_id]["thread_id"] = THREAD
    for message in messages:
        if message == "offer":
            fake.add_message(kind="offer", connection_id=connection, body=WINE_OFFER, receipt_id="")
        else:
            fake.add_message(**_response(message))
    fake.calls.clear()
    if surface == "page":
        page = unlocked.client.get(f"/requests/{pres_ex_id}")
        assert SHOWN.get(shown, shown) in page.get_data(as_text=True)
    else:  # the JSON API's view of the same request (`GET /api/v1/requests/<id>`)
        page = unlocked.client.get(f"/api/v1/requests/{pres_ex_id}", headers=bearer)
        assert page.get_json()["pres_ex_id"] == pres_ex_id
    assert page.status_code == 200
    assert fake.reads(pres_ex_id) == reads
