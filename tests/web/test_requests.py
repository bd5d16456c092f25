"""The consent screen, approve exactly what was shown, decline; and the history page."""

import re

import pytest

from .fake_agent import INCOME, NATIONAL_ID

OTHER_ID = dict(NATIONAL_ID, nationality="DE", given_name="Alicia")


def _digest(text):
    return re.search(r'name="digest" value="([0-9a-f]+)"', text).group(1)


@pytest.fixture
def asked(unlocked, fake):
    """A wallet holding both credentials with one pending age/nationality/income request."""
    fake.ids = [fake.add_credential(NATIONAL_ID), fake.add_credential(INCOME)]
    return fake.add_request()


def _sent(fake):
    return [b for m, p, b in fake.posted if p.endswith("/send-presentation")]


def test_consent_screen_says_who_what_leaves_and_what_is_only_proven(asked, client):
    text = client.get(f"/requests/{asked}").get_data(as_text=True)
    assert '<span id="who">Bank of Tests</span>' in text
    assert '<strong>Nationality</strong>: <span class="value">FR</span>' in text
    assert "Proves you are at least 18; your date of birth is not shared." in text
    assert "Proves your annual income is at least 30000; the amount is not shared." in text
    assert "19900415" not in text and "52750" not in text


def test_approve_sends_exactly_the_shown_choice_and_logs_names_only(
    asked, unlocked, fake, client, service
):
    page = client.get(f"/requests/{asked}").get_data(as_text=True)
    response = unlocked.post(
        f"/requests/{asked}/approve", {"digest": _digest(page)}, form_page=f"/requests/{asked}"
    )
    assert response.status_code == 302
    [body] = _sent(fake)
    national, income = fake.ids
    assert body["anoncreds"]["requested_attributes"] == {
        "nationality": {"cred_id": national, "revealed": True}
    }
    assert body["anoncreds"]["requested_predicates"] == {
        "adult": {"cred_id": national},
        "income": {"cred_id": income},
    }
    [entry] = service.history.entries()
    assert entry.action == "sent" and entry.to == "Bank of Tests"
    assert entry.revealed == ["nationality"]
    assert "proves you are at least 18; your date of birth is not shared" in entry.predicates
    assert "FR" not in repr(entry)
    history = client.get("/history/").get_data(as_text=True)
    assert "Bank of Tests" in history and "nationality" in history


@pytest.mark.parametrize(
    ("form", "sent_from", "said"),
    [
        # The whole other ID answers both its items (nationality, adult).
        ({"together-national_id": "other"}, ("other", "other"), "Sent."),
        # Mixing two IDs without meaning to: refused, nothing leaves.
        ({"choice-nationality": "other"}, None, "Nothing was sent: you picked different"),
        # Mixing on purpose: sent, and told plainly.
        (
            {"choice-nationality": "other", "split-national_id": "yes"},
            ("other", "first"),
            "You are combining two different National identity credentials",
        ),
    ],
)
def test_one_id_answers_both_its_items_unless_the_person_combines_on_purpose(
    asked, unlocked, fake, client, form, sent_from, said
):
    other = fake.add_credential(OTHER_ID)
    ids = {"other": other, "first": fake.ids[0]}
    page = client.get(f"/requests/{asked}").get_data(as_text=True)
    assert 'type="radio" name="together-national_id"' in page and "DE" in page
    data = {k: ids.get(v, v) for k, v in form.items()}
    response = unlocked.post(
        f"/requests/{asked}/approve",
        {"digest": _digest(page), **data},
        form_page=f"/requests/{asked}",
    )
    if sent_from is None:
        assert response.status_code == 400 and not _sent(fake)
        assert said in response.get_data(as_text=True)
        return
    [body] = _sent(fake)
    anoncreds = body["anoncreds"]
    assert anoncreds["requested_attributes"]["nationality"]["cred_id"] == ids[sent_from[0]]
    assert anoncreds["requested_predicates"]["adult"]["cred_id"] == ids[sent_from[1]]
    assert said in client.get("/history/").get_data(as_text=True)


@pytest.mark.parametrize("tamper", ["changed_wallet", "bad_digest", "bad_choice"])
def test_nothing_is_sent_unless_it_matches_what_was_shown(asked, unlocked, fake, client, tamper):
    page = client.get(f"/requests/{asked}").get_data(as_text=True)
    data = {"digest": _digest(page)}
    if tamper == "changed_wallet":
        fake.add_credential(OTHER_ID)
    elif tamper == "bad_digest":
        data["digest"] = "0" * 64
    else:
        data["choice-nationality"] = fake.ids[1]
    response = unlocked.post(f"/requests/{asked}/approve", data, form_page=f"/requests/{asked}")
    assert response.status_code in (400, 409)
    assert _sent(fake) == []


def test_an_unreachable_issuer_is_said_on_the_consent_screen_and_nothing_is_sent(
    asked, unlocked, fake, client, service
):
    page = client.get(f"/requests/{asked}").get_data(as_text=True)
    fake.unreachable_issuer = "issuer.tessera.localhost"
    response = unlocked.post(
        f"/requests/{asked}/approve", {"digest": _digest(page)}, form_page=f"/requests/{asked}"
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert '<span id="who">Bank of Tests</span>' in text  # still the consent screen
    assert "Nothing was sent: this firm&#39;s credential type cannot be checked right now" in text
    assert "issuer.tessera.localhost cannot be reached right now" in text
    assert fake.requests[asked]["state"] == "request-received"
    assert service.history.entries() == []


def test_decline_sends_the_reason_and_logs_it(asked, unlocked, fake, service):
    unlocked.post(
        f"/requests/{asked}/decline", {"reason": "Too much"}, form_page=f"/requests/{asked}"
    )
    assert (
        "POST",
        f"/present-proof-2.0/records/{asked}/problem-report",
        {"description": "Too much"},
    ) in fake.posted
    [entry] = service.history.entries()
    assert (entry.action, entry.reason, entry.revealed) == ("declined", "Too much", [])


def test_items_nothing_can_answer_allow_only_decline(unlocked, fake, client):
    fake.add_credential(NATIONAL_ID)
    pres_ex_id = fake.add_request()
    text = client.get(f"/requests/{pres_ex_id}").get_data(as_text=True)
    assert "Your wallet cannot answer" in text and 'id="approve"' not in text


def test_self_attested_items_are_typed_in(unlocked, fake, client):
    request = {
        "name": "Newsletter",
        "version": "1.0",
        "requested_attributes": {"email": {"name": "email"}},
        "requested_predicates": {},
    }
    pres_ex_id = fake.add_request(request)
    page = client.get(f"/requests/{pres_ex_id}").get_data(as_text=True)
    assert 'name="self-email"' in page
    unlocked.post(
        f"/requests/{pres_ex_id}/approve",
        {"digest": _digest(page), "self-email": "a@example.org"},
        form_page=f"/requests/{pres_ex_id}",
    )
    assert _sent(fake)[0]["anoncreds"]["self_attested_attributes"] == {"email": "a@example.org"}


def test_live_wait_reports_pending_counts(asked, client, fake):
    fake.add_offer(INCOME)
    body = client.get("/live/wait?since=-1&timeout=0").get_json()
    assert [r["id"] for r in body["requests"]] == [asked]
    assert body["offers"][0]["title"] == "Employment and income"


def test_live_wait_wakes_on_a_holder_webhook(asked, client, service):
    import threading

    seq = client.get("/live/wait?since=-1&timeout=0").get_json()["seq"]
    timer = threading.Timer(0.05, service.session.hub.publish, ("holder", "present_proof_v2_0", {}))
    timer.start()
    body = client.get(f"/live/wait?since={seq}&timeout=10").get_json()
    timer.join()
    assert body["seq"] > seq


@pytest.mark.parametrize(
    ("path", "sets_cookie"), [("/live/wait?since=-1&timeout=0", False), ("/history/", True)]
)
def test_the_live_poll_never_writes_back_the_session_cookie(asked, client, path, sets_cookie):
    """A long poll answered after the page moved on would overwrite the newer cookie
    carrying the next page's message ("Sent ...", a combining warning)."""
    response = client.get(path)
    assert response.status_code == 200
    assert any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie")) is (
        sets_cookie
    )


def test_the_requests_page_reads_what_waits_by_id_not_every_exchange(asked, client, fake):
    listed = fake.listings  # the one listing made at unlock
    text = client.get("/requests/").get_data(as_text=True)
    assert f'href="/requests/{asked}"' in text
    assert fake.listings == listed


def test_a_request_answered_elsewhere_leaves_the_requests_page(asked, client, fake):
    fake.requests[asked]["state"] = "presentation-sent"  # its webhook not here yet
    assert f'href="/requests/{asked}"' not in client.get("/requests/").get_data(as_text=True)
