"""The history page shows the newest answers a page at a time."""

import re

import pytest

from wallet.web.history import PAGE_SIZE


@pytest.mark.parametrize(
    ("page", "first", "last", "older", "newer"),
    [
        (None, "Firm 249", "Firm 150", True, False),
        (2, "Firm 149", "Firm 50", True, True),
        (3, "Firm 49", "Firm 0", False, True),
        (99, "Firm 49", "Firm 0", False, True),  # past the end: the last page
    ],
)
def test_history_is_paged_newest_first(unlocked, client, service, page, first, last, older, newer):
    assert PAGE_SIZE == 100
    for i in range(250):
        service.history.append("sent", f"Firm {i}", revealed=["nationality"])
    url = "/history/" if page is None else f"/history/?page={page}"
    html = client.get(url).get_data(as_text=True)
    rows = [line for line in html.splitlines() if '<td data-label="To">Firm ' in line]
    assert rows[0].count(first) == 1 and rows[-1].count(last) == 1
    assert len(rows) == (50 if first == "Firm 49" else 100)
    assert ("Older</a>" in html) is older
    assert ("Newer</a>" in html) is newer
    assert "250 answers" in html


def test_a_half_written_last_line_is_told_once_and_the_history_shows(unlocked, client, service):
    service.history.extend([("sent", "Bank", {}), ("sent", "Shop", {})])
    with service.history.path.open("ab") as handle:
        handle.write(b'{"n": "half a li')  # the wallet stopped during an append
    html = client.get("/history/").get_data(as_text=True)
    assert "half-written" in html and "history.log.torn-" in html
    assert '<td data-label="To">Bank</td>' in html and '<td data-label="To">Shop</td>' in html
    assert "half-written" not in client.get("/history/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("shown", "hidden"),
    [
        ("City of residence, Date of birth", "address_city"),
        ("Date of birth", "birthdate_dateint"),
        ("29 November 2026, 12:00 UTC", "2026-11-29T12:00"),
        ("National ID", "cred-7"),
    ],
)
def test_history_shows_labels_and_dates_in_words(unlocked, client, service, shown, hidden):
    service.history.append(
        "sent",
        "Bank of Tests",
        revealed=["address_city", "birthdate_dateint"],
        credentials=["National ID (cred-7)"],
    )
    html = client.get("/history/").get_data(as_text=True)
    outside = re.sub(r"<details>.*?</details>", "", html, flags=re.S)
    assert shown in outside
    assert hidden not in outside


def test_history_keeps_credential_ids_under_technical_details(unlocked, client, service):
    service.history.append("sent", "Bank", revealed=["nationality"], credentials=["ID (cred-7)"])
    html = client.get("/history/").get_data(as_text=True)
    assert re.search(r"<details><summary>technical details</summary><code>cred-7</code>", html)
