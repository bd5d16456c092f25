"""The consent screen's advice, the smaller answer (counter-proposal) and decline reasons."""

import json

import httpx
import pytest

from .fake_agent import INCOME, NATIONAL_ID, FakeAcaPy

ID = [{"cred_def_id": "cd-id"}]
OVER_ASKING = {
    "name": "Sign-up",
    "version": "1.0",
    "requested_attributes": {
        "who": {
            "names": ["given_name", "family_name", "birthdate_dateint", "address_city"],
            "restrictions": ID,
        }
    },
    "requested_predicates": {},
}
FAIR = {
    "name": "Adult check",
    "version": "1.0",
    "requested_attributes": {"nat": {"name": "nationality", "restrictions": ID}},
    "requested_predicates": {
        "adult": {
            "name": "birthdate_dateint",
            "p_type": "<=",
            "p_value": 20081129,
            "restrictions": ID,
        }
    },
}


class ProposingAcaPy(FakeAcaPy):
    """The fake holder agent, also taking presentation proposals."""

    def handle(self, request):
        """Answer send-proposal; everything else as the base fake."""
        if request.url.path == "/present-proof-2.0/send-proposal":
            self.posted.append(("POST", request.url.path, json.loads(request.content)))
            return httpx.Response(200, json={"pres_ex_id": "px-prop", "thread_id": "th-prop"})
        return super().handle(request)


@pytest.fixture
def fake():
    """The proposing fake agent."""
    return ProposingAcaPy()


@pytest.fixture
def asked(unlocked, fake):
    """A wallet holding both credentials with one over-asking request pending."""
    fake.add_credential(NATIONAL_ID, cred_def_id="cd-id")  # the issuer the request trusts
    fake.add_credential(INCOME)
    return fake.add_request(OVER_ASKING)


def _posts(fake, suffix):
    return [b for m, p, b in fake.posted if p.endswith(suffix)]


@pytest.mark.parametrize(
    ("request_", "says", "never"),
    [
        (
            OVER_ASKING,
            [
                "This request may ask for more than it needs",
                "prove you are at least 18 instead of revealing your date of birth",
                "Reveals a lot: 4 raw values (1 highly sensitive, 3 medium).",
                "A smaller answer: Reveals a lot: 3 raw values (3 medium), 1 fact proven.",
                'id="counter"',
            ],
            [],
        ),
        (
            FAIR,
            ["This request looks proportionate", "Reveals little: 1 raw value (1 low)"],
            ["A threshold would do", "A smaller answer"],
        ),
    ],
    ids=["over-asking", "fair"],
)
def test_consent_screen_shows_advice(unlocked, fake, client, request_, says, never):
    fake.add_credential(NATIONAL_ID, cred_def_id="cd-id")
    page = client.get(f"/requests/{fake.add_request(request_)}").get_data(as_text=True)
    for text in says:
        assert text in page
    for text in never:
        assert text not in page
    assert 'id="approve"' in page, "advice never blocks approving the original"


def test_counter_proposal_sends_the_smaller_request_then_declines(asked, unlocked, fake, service):
    response = unlocked.post(
        f"/requests/{asked}/counter",
        {
            "keep-given_name": "keep",
            "keep-family_name": "keep",
            "keep-birthdate_dateint": "prove",
            "threshold-birthdate_dateint": "21",
            "keep-address_city": "drop",
        },
        form_page=f"/requests/{asked}",
    )
    assert response.status_code == 302
    [proposal] = _posts(fake, "/send-proposal")
    smaller = proposal["presentation_proposal"]["anoncreds"]
    assert proposal["connection_id"] == "conn-verifier" and proposal["auto_present"] is False
    assert smaller["requested_attributes"]["who"]["names"] == ["given_name", "family_name"]
    assert smaller["requested_predicates"]["birthdate_dateint_instead"] == {
        "name": "birthdate_dateint",
        "p_type": "<=",
        "p_value": 20051129,
        "restrictions": ID,
    }
    [report] = _posts(fake, f"/{asked}/problem-report")
    assert "smaller answer (thread th-prop)" in report["description"]
    [entry] = service.history.entries()
    assert (entry.action, entry.rule) == ("declined", "person")
    assert entry.reason.startswith("You proposed: prove you are at least 21")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"keep-given_name": "keep"}, "same as the request"),
        ({"keep-address_city": "prove"}, "Only the values marked"),
        ({"keep-nationality": "drop"}, "Choose keep, prove or leave out"),
        (
            {"keep-birthdate_dateint": "prove", "threshold-birthdate_dateint": "400"},
            "between 0 and 150",
        ),
        (  # born 1990: at least 36 can be proven, 37 cannot (#19.4)
            {"keep-birthdate_dateint": "prove", "threshold-birthdate_dateint": "37"},
            "None of your credentials can prove you are at least 37",
        ),
    ],
)
def test_a_bad_counter_proposal_sends_nothing(asked, unlocked, fake, form, message):
    response = unlocked.post(f"/requests/{asked}/counter", form, form_page=f"/requests/{asked}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _posts(fake, "/send-proposal") == [] and _posts(fake, "/problem-report") == []


@pytest.mark.parametrize("years", ["18", "36"])
def test_a_threshold_the_credential_meets_is_proposed(asked, unlocked, fake, years):
    form = {"keep-birthdate_dateint": "prove", "threshold-birthdate_dateint": years}
    response = unlocked.post(f"/requests/{asked}/counter", form, form_page=f"/requests/{asked}")
    assert response.status_code == 302
    assert len(_posts(fake, "/send-proposal")) == 1


def test_a_connectionless_request_cannot_be_counter_proposed(unlocked, fake):
    fake.add_credential(NATIONAL_ID)
    pres_ex_id = fake.add_request(OVER_ASKING, conn=None)
    response = unlocked.post(
        f"/requests/{pres_ex_id}/counter",
        {"keep-address_city": "drop"},
        form_page=f"/requests/{pres_ex_id}",
    )
    assert response.status_code == 400 and "without a connection" in response.get_data(as_text=True)
    assert _posts(fake, "/send-proposal") == []


@pytest.mark.parametrize(
    ("form", "status", "description"),
    [
        ({"code": "too_much"}, 302, "You asked for more than this needs."),
        (
            {"code": "price", "reason": "Pay me."},
            302,
            "The price you offer is not acceptable. Pay me.",
        ),
        ({"code": "other", "reason": "Not today"}, 302, "Not today"),
        ({"code": "other"}, 400, None),
        ({"code": "bribe"}, 400, None),
    ],
)
def test_decline_reasons(asked, unlocked, fake, service, form, status, description):
    response = unlocked.post(f"/requests/{asked}/decline", form, form_page=f"/requests/{asked}")
    assert response.status_code == status
    reports = _posts(fake, "/problem-report")
    if description is None:
        assert reports == [] and service.history.entries() == []
    else:
        assert reports == [{"description": description}]
        assert service.history.entries()[0].reason == description
