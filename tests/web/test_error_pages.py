"""Flask's own errors (no such page, wrong method) answered in the app's words and layout,
not Werkzeug's bare "Not Found" (#19, smaller things)."""

import pytest

# (method, path, status, what the page says, what it must not say)
WALLET = [
    ("get", "/no-such-page", 404, "There is no such page in your wallet", "Not Found</h1>"),
    ("get", "/requests/x/y/z", 404, "Page not found", "The requested URL was not found"),
    ("put", "/requests/", 405, "cannot be opened that way", "Method Not Allowed</h1>"),
]


@pytest.mark.parametrize(("method", "path", "status", "says", "not_says"), WALLET)
def test_wallet_answers_unknown_pages_in_its_own_layout(
    unlocked, client, method, path, status, says, not_says
):
    response = getattr(client, method)(path)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert says in html and not_says not in html
    assert '<main id="main"' in html  # the wallet's layout, with its menu


def test_wallet_live_paths_answer_json(unlocked, client):
    response = client.get("/live/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["message"].startswith("There is no such page")


def test_a_locked_wallet_still_sends_unknown_pages_to_unlock(unlocked, client):
    assert unlocked.post("/lock", form_page="/requests/").status_code == 302
    response = client.get("/no-such-page")
    assert response.status_code == 302 and response.location.endswith("/unlock")
