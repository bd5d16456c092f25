"""The consoles answer an unknown page or a wrong method in their own layout (#19)."""

import pytest

from .conftest import make_console
from .fakes import fake_agent

# (role, method, path, status, what the page says)
ROWS = [
    ("verifier", "get", "/no-such-page", 404, "no such page in this console"),
    ("issuer", "get", "/no-such-page", 404, "no such page in this console"),
    ("verifier", "put", "/connections", 405, "cannot be opened that way"),
]


@pytest.mark.parametrize(("role", "method", "path", "status", "says"), ROWS)
def test_console_answers_unknown_pages_in_its_own_layout(
    tmp_path, role, method, path, status, says
):
    console = make_console(role, fake_agent(role), tmp_path)
    response = getattr(console.client, method)(path)
    assert response.status_code == status
    assert says in response.text and "Back to the console" in response.text
