"""What a keyboard and a screen reader find on every page: a skip link to the content, the
current page marked in the menu, an error tied to its field (#22.5, #22.9)."""

import re

import pytest

from .fake_agent import NATIONAL_ID

# (page, the menu link marked, how: "page" on the link's own page, "true" below it)
CURRENT = [
    ("/credentials/{cred}", "Credentials", "true"),
    ("/credentials/{cred}/delete", "Credentials", "true"),
    ("/requests/", "Requests", "page"),
    ("/credentials/", "Credentials", "page"),
    ("/history/", "History", "page"),
    ("/receipts/", "Receipts", "page"),
    ("/prices/", "Prices", "page"),
    ("/settings/", "Settings", "page"),
]


@pytest.mark.parametrize(("path", "link", "how"), CURRENT)
def test_the_menu_marks_the_current_page_and_a_skip_link_leads_to_the_content(
    unlocked, client, fake, path, link, how
):
    cred = fake.add_credential(NATIONAL_ID)
    html = client.get(path.format(cred=cred)).get_data(as_text=True)
    assert '<a class="skip" href="#main">' in html and '<main id="main"' in html
    marked = re.findall(r'<a href="[^"]*" aria-current="(\w+)">(\w+)', html)
    assert marked == [(how, link)]


def test_a_wrong_passphrase_is_tied_to_the_passphrase_field(unlocked, client):
    unlocked.post("/lock", form_page="/requests/")
    assert "aria-describedby" not in client.get("/unlock").get_data(as_text=True)
    html = unlocked.post("/unlock", {"passphrase": "not the passphrase"}).get_data(as_text=True)
    assert re.search(r'<p class="error" role="alert" id="page-error">Wrong passphrase', html)
    field = re.search(r'<input type="password" name="passphrase"[^>]*>', html).group(0)
    assert 'aria-describedby="page-error"' in field and 'aria-invalid="true"' in field
