"""First run, unlock, lock, backoff, idle expiry and the security headers."""

import pytest

from .conftest import PASSPHRASE


def test_first_visit_goes_to_setup(client):
    response = client.get("/requests/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/setup")


@pytest.mark.parametrize(
    ("passphrase", "confirm", "says"),
    [
        ("short", "short", "at least 8 characters"),
        ("long enough one", "long enough two", "differ"),
    ],
)
def test_setup_refuses_weak_or_mistyped_passphrases(person, service, passphrase, confirm, says):
    response = person.post("/setup", {"passphrase": passphrase, "confirm": confirm})
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert service.first_run and not service.unlocked


def test_setup_starts_the_agent_and_opens_the_wallet(unlocked, service, client):
    assert service.unlocked and not service.first_run
    assert service.session.runner.key == PASSPHRASE
    assert client.get("/requests/").status_code == 200


def test_a_new_wallet_lands_on_its_next_step_connecting_to_a_firm(person, client):
    response = person.set_up()
    assert response.headers["Location"].endswith("/connections/")
    page = client.get("/connections/").get_data(as_text=True)
    assert "Your wallet is ready. Next, connect to a firm" in page


@pytest.mark.parametrize("path", ["/unlock", "/setup"])
def test_an_unlocked_wallet_never_asks_to_be_unlocked(unlocked, client, path):
    response = client.get(path, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/requests/"
    assert "Unlock your wallet" not in page and "Your wallet is already unlocked." in page


def test_another_browser_still_sees_the_unlock_page(unlocked, app):
    other = app.test_client()
    page = other.get("/unlock").get_data(as_text=True)
    assert "Unlock your wallet" in page


def test_session_cookie_is_httponly_and_samesite_strict(person):
    response = person.set_up()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_pages_carry_a_restrictive_csp(unlocked, client):
    response = client.get("/requests/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(unlocked, client, service):
    response = client.post("/lock")
    assert response.status_code == 400 and service.unlocked


def test_lock_stops_the_agent_and_needs_the_passphrase_again(unlocked, client, service):
    unlocked.post("/lock", form_page="/requests/")
    assert not service.unlocked and not service.session.runner.running
    assert client.get("/requests/").headers["Location"].endswith("/unlock")


def test_wrong_passphrase_says_so_and_changes_nothing(unlocked, client, service):
    unlocked.post("/lock", form_page="/requests/")
    response = unlocked.post("/unlock", {"passphrase": "not the passphrase"})
    assert response.status_code == 401
    assert "Wrong passphrase" in response.get_data(as_text=True)
    assert not service.unlocked and service.session.runner.key == PASSPHRASE
    assert unlocked.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
    assert service.unlocked


def test_repeated_wrong_passphrases_are_slowed_down(unlocked, service, clock):
    unlocked.post("/lock", form_page="/requests/")
    for _ in range(3):
        assert unlocked.post("/unlock", {"passphrase": "nope nope"}).status_code == 401
    starts = service.session.runner.starts
    response = unlocked.post("/unlock", {"passphrase": PASSPHRASE})
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert service.session.runner.starts == starts, "a slowed-down attempt must not reach the agent"
    clock.now += 1.5
    assert unlocked.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302


def test_idle_session_expires_and_locks(unlocked, client, service, clock):
    clock.now += 601
    response = client.get("/requests/")
    assert response.headers["Location"].endswith("/unlock")
    assert not service.unlocked


def test_activity_keeps_the_session(unlocked, client, service, clock):
    for _ in range(3):
        clock.now += 500
        assert client.get("/requests/").status_code == 200
    assert service.unlocked


def test_a_second_browser_without_the_session_is_sent_to_unlock(unlocked, app):
    assert app.test_client().get("/credentials/").headers["Location"].endswith("/unlock")
