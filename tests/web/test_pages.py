"""Connections, offers and credentials pages over the fake agent."""

import pytest

from .fake_agent import INCOME, NATIONAL_ID, invitation_url


def test_invitation_preview_shows_who_before_accepting(unlocked, fake):
    response = unlocked.post(
        "/connections/preview", {"url": invitation_url("Acme Bank")}, form_page="/connections/"
    )
    assert response.status_code == 200
    assert 'Invitation from <span id="inviter">Acme Bank</span>' in response.get_data(as_text=True)
    assert not [p for p in fake.posted if "receive-invitation" in p[1]]


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("http://10.0.0.7:8020", "private address"),
        ("http://169.254.169.254/", "link-local"),
        ("ftp://firm.example/", "only http and https"),
    ],
)
def test_unsafe_invitation_is_refused_with_why(unlocked, fake, endpoint, says):
    response = unlocked.post(
        "/connections/preview",
        {"url": invitation_url("Evil", endpoint)},
        form_page="/connections/",
    )
    assert response.status_code == 400 and says in response.get_data(as_text=True)
    assert not [p for p in fake.posted if "receive-invitation" in p[1]]


def test_accepting_an_invitation_connects(unlocked, fake, client):
    unlocked.post(
        "/connections/accept", {"url": invitation_url("Acme Bank")}, form_page="/connections/"
    )
    assert "Acme Bank" in client.get("/connections/").get_data(as_text=True)


def test_qr_image_upload_reads_the_invitation(unlocked):
    import io

    import segno

    url = invitation_url("QR Bank")
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=4)
    image.seek(0)
    response = unlocked.post(
        "/connections/preview",
        {"qr": (image, "qr.png")},
        form_page="/connections/",
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "QR Bank" in response.get_data(as_text=True)


def test_own_invitation_shows_qr_and_link(unlocked):
    response = unlocked.post("/connections/invitation", form_page="/connections/")
    text = response.get_data(as_text=True)
    assert "<svg" in text and "oob=" in text


def test_offer_shows_issuer_labels_and_every_value(unlocked, fake, client):
    cred_ex_id = fake.add_offer(NATIONAL_ID)
    text = client.get(f"/offers/{cred_ex_id}").get_data(as_text=True)
    assert "Acme Registry offers you: National identity" in text
    for label, value in [("Date of birth", "15 April 1990"), ("City of residence", "Villeurbanne")]:
        assert f"<th>{label}</th><td>{value}</td>" in text
    assert "19900415" not in text


def test_accepted_offer_appears_in_the_credentials_list(unlocked, fake, client):
    cred_ex_id = fake.add_offer(INCOME)
    response = unlocked.post(f"/offers/{cred_ex_id}/accept", form_page=f"/offers/{cred_ex_id}")
    assert response.status_code == 302
    listing = client.get("/credentials/").get_data(as_text=True)
    assert "Employment and income" in listing and "Acme Registry" in listing
    assert "2 February 2026" in listing and "2026-02-02" not in listing


def test_declined_offer_sends_a_problem_report_with_the_reason(unlocked, fake):
    cred_ex_id = fake.add_offer(INCOME)
    unlocked.post(
        f"/offers/{cred_ex_id}/decline",
        {"reason": "Wrong employer"},
        form_page=f"/offers/{cred_ex_id}",
    )
    assert (
        "POST",
        f"/issue-credential-2.0/records/{cred_ex_id}/problem-report",
        {"description": "Wrong employer"},
    ) in fake.posted


def test_unknown_offer_is_404_with_a_message(unlocked, client):
    response = client.get("/offers/nope")
    assert response.status_code == 404 and "may have been answered" in response.get_data(
        as_text=True
    )


def test_credential_detail_lists_every_attribute_by_label(unlocked, fake, client):
    cred_id = fake.add_credential(NATIONAL_ID)
    text = client.get(f"/credentials/{cred_id}").get_data(as_text=True)
    for attr in (
        "Given name",
        "Family name",
        "Date of birth",
        "Nationality",
        "Country of residence",
        "City of residence",
    ):
        assert f"<th>{attr}</th>" in text


def test_delete_needs_confirmation(unlocked, fake, client):
    cred_id = fake.add_credential(NATIONAL_ID)
    confirm = client.get(f"/credentials/{cred_id}/delete")
    assert confirm.status_code == 200 and cred_id in fake.credentials
    unlocked.post(f"/credentials/{cred_id}/delete")
    assert cred_id not in fake.credentials
