"""A new API token is shown once, at the top of Settings, with a Copy button that needs no
inline script and leaves the token selectable text without JavaScript (#19)."""

import re

import pytest

from wallet.web import CSP


def _create(unlocked, name="my laptop script"):
    response = unlocked.post("/settings/tokens", {"name": name}, form_page="/settings/")
    html = response.get_data(as_text=True)
    return response, html, re.search(r'<code id="new-token">([^<]+)</code>', html)[1]


def test_new_token_is_shown_at_the_top_before_the_rest_of_settings(unlocked):
    response, html, token = _create(unlocked)
    assert response.status_code == 200
    content = html.split('<main id="main"', 1)[1]
    box = content.index('id="new-token-box"')
    for later in ('id="backup-link"', 'id="rules"', "<h2>API tokens</h2>"):
        assert box < content.index(later), f"the new token comes after {later}"
    assert content.count(token) == 1
    assert "shown only this once" in html and "“my laptop script”" in html


def test_copy_button_is_loaded_from_a_static_script_and_hidden_without_javascript(unlocked):
    _, html, _ = _create(unlocked)
    button = re.search(r'<button type="button" id="copy-token"[^>]*>', html)[0]
    assert " hidden" in button  # the script shows it; without it the token stays plain text
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all('src="/static/' in attributes for attributes in scripts), scripts
    assert any('src="/static/token.js"' in attributes for attributes in scripts)
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP


def test_copy_script_is_served_and_copies_the_token_element(client):
    with client.get("/static/token.js") as script:
        assert script.status_code == 200 and "javascript" in script.mimetype
        text = script.get_data(as_text=True)
    for used in ('"new-token"', '"copy-token"', '"copy-token-status"', "clipboard"):
        assert used in text


@pytest.mark.parametrize("path", ["/settings/", "/backup/"])
def test_the_token_is_never_shown_again(unlocked, client, path):
    _, _, token = _create(unlocked)
    html = client.get(path).get_data(as_text=True)
    assert token not in html and 'id="new-token"' not in html and "token.js" not in html
    assert "my laptop script" in client.get("/settings/").get_data(as_text=True)


def test_a_refused_name_shows_no_token_box(unlocked):
    response = unlocked.post("/settings/tokens", {"name": " "}, form_page="/settings/")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Name the token" in html
    assert 'id="new-token' not in html and "token.js" not in html
