"""A request no longer waiting (Back after approving, say) says what became of it (#19.10)."""

import pytest

from .fake_agent import NATIONAL_ID


@pytest.mark.parametrize(
    ("state", "error_msg", "says"),
    [
        ("presentation-sent", None, "You answered this request"),
        ("done", None, "was sent; nothing more leaves"),
        ("abandoned", "created problem report: too much asked", "You declined this request"),
        (
            "abandoned",
            "abandoned: The firm asked again in a new request; this one is withdrawn.",
            "withdrew this request (“Age, nationality and income check”): “The firm asked again",
        ),
    ],
)
def test_a_finished_request_says_what_became_of_it(unlocked, client, fake, state, error_msg, says):
    fake.add_credential(NATIONAL_ID)
    pres_ex_id = fake.add_request()
    fake.requests[pres_ex_id].update(state=state, error_msg=error_msg)
    page = client.get(f"/requests/{pres_ex_id}")
    assert page.status_code == 200
    assert says in page.get_data(as_text=True)


def test_back_after_approving_shows_the_answer_not_an_error(unlocked, client, fake):
    fake.add_credential(NATIONAL_ID)
    pres_ex_id = fake.add_request()
    fake.requests[pres_ex_id]["state"] = "presentation-sent"
    assert 'data-state="presentation-sent"' in client.get(f"/requests/{pres_ex_id}").text


@pytest.mark.parametrize("pres_ex_id", ["px-unknown", "..%2F..%2Fcredentials"])
def test_an_unknown_request_is_still_404(unlocked, client, pres_ex_id):
    assert client.get(f"/requests/{pres_ex_id}").status_code == 404
