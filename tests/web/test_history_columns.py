"""The history table fits a desktop screen: five columns, who decided and the receipt folded
into "What", what left the wallet in one cell; every cell keeps its phone label (#19)."""

from html.parser import HTMLParser

import pytest

from wallet.holder import receipt_book

COLUMNS = ["When", "To", "What", "What left your wallet", "Credentials used"]
AGE = "proves you are at least 18; your date of birth is not shared"


class Table(HTMLParser):
    """The header texts and, per body row, each cell's data-label and text."""

    def __init__(self, html):
        """Parse the `<table id="history">` of `html`."""
        super().__init__()
        self.inside, self.cell = False, None
        self.header, self.rows = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        """Open the table, a row or a cell."""
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "history":
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = {"tag": tag, "label": attrs.get("data-label"), "text": ""}
        elif self.cell is not None and tag == "div":
            self.cell["text"] += " "  # a line of its own, as a browser shows it

    def handle_endtag(self, tag):
        """Close a cell or the table."""
        if tag == "table":
            self.inside = False
        elif self.cell is not None and tag == self.cell["tag"]:
            self.cell["text"] = " ".join(self.cell["text"].split())
            if self.cell["tag"] == "th":
                self.header.append(self.cell["text"])
            else:
                self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        """Add text to the open cell."""
        if self.cell is not None:
            self.cell["text"] += data

    def body(self):
        """Return the body rows (the header row has no `td`)."""
        return [row for row in self.rows if row]


def _answers(service):
    mine = service.history.append(
        "sent",
        "Bank of Tests",
        request_name="Loan application",
        revealed=["address_city", "nationality"],
        predicates=[AGE],
        credentials=["National ID (cred-7)"],
        rule="person",
    )
    receipt_book.link(service.data_dir, mine, "r-1")
    service.history.append(
        "sent", "Shop", request_name="Age check", predicates=[AGE], rule="shape:age-checks"
    )
    service.history.append("declined", "Shop", request_name="Delivery", reason="Not today")
    service.history.append("sent", "Paper", rule="proposal:yours")


def _table(client):
    return Table(client.get("/history/").get_data(as_text=True))


def test_history_has_five_columns_and_every_cell_its_phone_label(unlocked, client, service):
    _answers(service)
    table = _table(client)
    assert table.header == COLUMNS
    rows = table.body()
    assert len(rows) == 4
    for row in rows:
        assert [cell["label"] for cell in row] == COLUMNS


@pytest.mark.parametrize(
    ("to", "what"),
    [
        ("Bank of Tests", "Sent: Loan application Decided by you; see the receipt."),
        ("Shop", "Sent: Age check Decided by your rule shape:age-checks."),
        ("Paper", "Sent Decided by your smaller answer, accepted by the firm."),
    ],
)
def test_who_decided_and_the_receipt_are_told_in_the_what_cell(unlocked, client, service, to, what):
    _answers(service)
    found = [r[2]["text"] for r in _table(client).body() if r[1]["text"] == to]
    assert what in found


def test_the_receipt_link_sits_in_a_sentence(unlocked, client, service):
    # A link inside running text is not a lone target; the phone layout pads lone targets.
    _answers(service)
    html = client.get("/history/").get_data(as_text=True)
    assert '; see <a class="receipt" href="/receipts/r-1">the receipt</a>.</div>' in html


def test_what_left_the_wallet_is_one_cell(unlocked, client, service):
    _answers(service)
    rows = {r[2]["text"].split(" Decided")[0]: r[3]["text"] for r in _table(client).body()}
    assert rows["Sent: Loan application"] == (
        "Revealed: City of residence, Nationality "
        "Proves you are at least 18; your date of birth is not shared"
    )
    assert rows["Declined: Delivery (Not today)"] == "—"


def test_an_empty_history_spans_every_column(unlocked, client):
    html = client.get("/history/").get_data(as_text=True)
    assert f'<td colspan="{len(COLUMNS)}">Nothing shared yet.</td>' in html
