"""The Connections page in words: states a person reads, dates as dates, and no nameless
row for the wallet's own unused invitation (#19, smaller things)."""

import pytest

from .fake_agent import invitation_url

# (ACA-Py state, what the person reads)
STATES = [
    ("active", "Connected"),
    ("completed", "Connected"),
    ("request", "Connecting"),
    ("response", "Connecting"),
    ("abandoned", "Failed: connect again"),
    ("something-new", "Connecting"),
]


@pytest.mark.parametrize(("state", "words"), STATES)
def test_connection_states_read_as_words(unlocked, fake, client, state, words):
    fake.connections["conn-issuer"]["state"] = state
    html = client.get("/connections/").get_data(as_text=True)
    assert f'<td data-label="State">{words}</td>' in html
    assert f'<td data-label="State">{state}</td>' not in html


def test_since_is_a_date_in_words(unlocked, client):
    html = client.get("/connections/").get_data(as_text=True)
    assert (
        '<td data-label="Since">1 January 2026</td>' in html and "2026-01-01T00:00:00Z" not in html
    )


def test_own_unused_invitation_is_counted_not_listed(unlocked, client):
    unlocked.post("/connections/invitation", form_page="/connections/")
    unlocked.post("/connections/invitation", form_page="/connections/")
    html = client.get("/connections/").get_data(as_text=True)
    assert "(no name)" not in html
    assert "2 invitations of yours not used by any firm yet." in html
    assert html.count('<td data-label="Firm">') == 2  # the two firms, nothing else


def test_a_firm_met_through_an_invitation_is_listed(unlocked, client):
    unlocked.post(
        "/connections/accept", {"url": invitation_url("Acme Bank")}, form_page="/connections/"
    )
    html = client.get("/connections/").get_data(as_text=True)
    assert '<td data-label="Firm">Acme Bank</td><td data-label="State">Connecting</td>' in html
