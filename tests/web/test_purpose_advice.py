"""The consent screen and the API judge a request against the purpose its terms state."""

import pytest

from . import test_exposure_pages
from .fake_agent import AGE_INCOME_REQUEST

fake = test_exposure_pages.fake  # the terms agent holding the person's credentials
NO_PURPOSE = "No purpose was stated in agreed terms, so the advisor cannot judge the purpose."


def _offer(fake, purpose):
    body = {
        "purpose": purpose,
        "purpose_text": "",
        "legal_basis": "consent",
        "retention": "P30D",
        "onward_sharing": False,
        "price": {"amount": "5.00", "currency": "EUR"},
        "request_thread_id": "p-1",
        "revision": 0,
        "firm_key": "did:key:z6Mk",
    }
    fake.add_message(kind="offer", connection_id="conn-verifier", body=body, receipt_id="")


@pytest.mark.parametrize(
    ("purpose", "beyond", "words"),
    [
        (
            "age-check",
            {
                "nationality": "An age check does not need your nationality.",
                "annual_income": "An age check does not need a fact about your annual income.",
            },
            "It asks more than an age check needs.",
        ),
        (
            "credit-check",
            {"nationality": "A credit check does not need your nationality."},
            "It asks more than a credit check needs.",
        ),
        (None, {}, NO_PURPOSE),
    ],
)
def test_consent_screen_and_api_judge_the_stated_purpose(
    unlocked,
    app,
    fake,
    purpose,
    beyond,
    words,
):
    pres_ex_id = fake.add_request(AGE_INCOME_REQUEST)
    fake.requests[pres_ex_id]["thread_id"] = "p-1"
    if purpose:
        _offer(fake, purpose)
    page = unlocked.client.get(f"/requests/{pres_ex_id}").get_data(as_text=True)
    assert words in page
    for text in beyond.values():
        assert text in page
    token = app.extensions["tokens"].create("script")[1]
    doc = unlocked.client.get(
        f"/api/v1/requests/{pres_ex_id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()["advice"]
    assert {b["name"]: b["text"] for b in doc["beyond_purpose"]} == beyond
    assert (doc["purpose"], doc["purpose_judged"], doc["purpose_words"]) == (
        purpose or "",
        bool(purpose),
        words,
    )
    assert "Approve and send" in page  # advice never blocks
