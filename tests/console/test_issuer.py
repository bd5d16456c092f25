"""Issuer console with a fake agent: login, security, the issue form's validation."""

import pytest

from .conftest import make_console
from .fakes import CRED_DEF, fake_agent

GOOD = {
    "connection_id": "conn-1",
    "cred_def_id": CRED_DEF,
    "employer": "Acme",
    "job_title": "Engineer",
    "annual_income": "52750",
    "employed_since_dateint": "2018-09-01",
}


@pytest.fixture
def console(tmp_path):
    return make_console("issuer", fake_agent("issuer"), tmp_path)


def test_pages_need_login_and_carry_security_headers(tmp_path):
    from wallet.console import create_app

    app = create_app("issuer", fake_agent("issuer"), {"DATA_DIR": tmp_path})
    client = app.test_client()
    response = client.get("/issuer/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    token = (tmp_path / "secrets" / "console-issuer.token").read_text().strip()
    assert token == app.config["CONSOLE_TOKEN"]


def test_wrong_password_is_refused(tmp_path):
    from .conftest import Console

    console = make_console("issuer", fake_agent("issuer"), tmp_path)
    other = Console(console.app.test_client())
    assert other.login("not-it").status_code == 401
    assert other.get("/issuer/").status_code == 302


def test_session_cookie_is_httponly_and_strict(tmp_path):
    console = make_console("issuer", fake_agent("issuer"), tmp_path)
    cookie = console.client.get_cookie("tessera_issuer_console")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"


def test_form_without_csrf_token_is_refused(console):
    response = console.client.post("/issuer/issue/employment_income", data=GOOD)
    assert response.status_code == 400 and "reload the page" in response.text
    assert console.app.extensions["tessera"]["agent"].admin.writes() == []


def test_good_form_offers_once(console):
    response = console.post("/issuer/issue/employment_income", GOOD)
    assert response.status_code == 302
    assert console.app.extensions["tessera"]["agent"].admin.writes() == [
        ("POST", "/issue-credential-2.0/send-offer")
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("employed_since_dateint", "2023-02-30", "is not a date that exists"),
        ("employed_since_dateint", "01/09/2018", "is not a date that exists"),
        ("annual_income", "lots", "must be a whole number"),
        ("annual_income", "1.5", "must be a whole number"),
        ("annual_income", "99999999999", "must be a whole number"),
        ("employer", "", "is missing"),
        ("job_title", "x" * 201, "longer than"),
        ("connection_id", "someone-else", "Pick an active connection"),
        ("cred_def_id", "did:tessera:forged", "Pick a credential definition"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_sent(console, field, value, message):
    response = console.post("/issuer/issue/employment_income", {**GOOD, field: value})
    assert response.status_code == 400
    assert f'id="{field}-error">' in response.text and message in response.text
    assert console.app.extensions["tessera"]["agent"].admin.writes() == []


def test_missing_attribute_is_caught(console):
    data = {k: v for k, v in GOOD.items() if k != "job_title"}
    response = console.post("/issuer/issue/employment_income", data)
    assert response.status_code == 400 and 'id="job_title-error"' in response.text


def test_revocation_without_tails_server_is_refused(console):
    response = console.post("/issuer/schemas/national_id/publish", {"revocation": "on"})
    assert response.status_code == 400 and "tails server" in response.text


def test_unknown_schema_is_404(console):
    assert console.get("/issuer/issue/passport").status_code == 404


def test_invitation_shows_link_and_qr(console):
    response = console.post("/connections/invite", {"alias": "Alice"})
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in response.text and "oob=e30" in response.text
