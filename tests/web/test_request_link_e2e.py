"""End to end: a verifier's QR-code link (a proof request with no connection) pasted into
Connections opens the request, in the page and in the API (#19.10)."""

import datetime

import pytest

from wallet import scenario
from wallet.flows import present
from wallet.flows.oob import create_oob_request

from .attached import attached_wallet

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def person(seeded_world, tmp_path_factory):
    home = tmp_path_factory.mktemp("wallet")
    with attached_wallet(seeded_world, home, lambda: datetime.datetime.now(datetime.UTC)) as found:
        try:
            yield found[0]
        finally:
            for waiting in present.requests(seeded_world.holder):  # leave the world as found
                present.decline(seeded_world.holder, waiting.pres_ex_id, "test over")


def _link(world):
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    return create_oob_request(world.verifier, request).url


def test_a_request_link_is_read_as_a_request_and_opens_the_consent_screen(seeded_world, person):
    url = _link(seeded_world)
    preview = person.post("/connections/preview", {"url": url}, form_page="/connections/")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="request-link"' in text and "Open the request" in text
    opened = person.post("/connections/accept", {"url": url}, form_page="/connections/")
    assert opened.status_code == 302 and "/requests/" in opened.headers["Location"]
    page = person.client.get(opened.headers["Location"]).get_data(as_text=True)
    assert 'id="approve"' in page and "Age, nationality and income check" in page


def test_the_api_answers_a_request_link_with_the_request(seeded_world, person):
    made = person.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    token = made.get_data(as_text=True).split('<code id="new-token">')[1].split("<")[0]
    answer = person.client.post(
        "/api/v1/connections",
        json={"invitation_url": _link(seeded_world)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["connection_id"] is None and body["pres_ex_id"]
    got = person.client.get(
        f"/api/v1/requests/{body['pres_ex_id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert got.status_code == 200
