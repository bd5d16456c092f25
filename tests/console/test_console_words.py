"""Words on the consoles' pages (#19): articles, counts, and a counter in the firm's words."""

from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

from wallet.agent.handle import Agent
from wallet.console import words
from wallet.pricing.money import Money
from wallet.pricing.price_list import Quote, answer

from .conftest import make_console
from .fakes import CRED_DEF, FakeAdmin, fake_agent


@pytest.mark.parametrize(
    ("noun", "said"),
    [
        ("Employment and income", "an Employment and income"),
        ("National identity", "a National identity"),
        ("address", "an address"),
        ("item", "an item"),
        ("", "a "),  # nothing to go by: no failure
    ],
)
def test_with_article_picks_a_or_an_by_the_first_letter(noun, said):
    assert words.with_article(noun) == said


@pytest.mark.parametrize(
    ("schema", "heading"),
    [
        ("employment_income", "Issue an Employment and income credential"),
        ("national_id", "Issue a National identity credential"),
    ],
)
def test_the_issuer_console_says_a_or_an_before_a_credential(tmp_path, schema, heading):
    console = make_console("issuer", fake_agent("issuer"), tmp_path)
    assert f"<h1>{heading}</h1>" in console.get(f"/issuer/issue/{schema}").text
    assert f">{heading}</a>" in console.get("/issuer/").text


@pytest.mark.parametrize(
    ("number", "noun", "said"),
    [(0, "item", "0 items"), (1, "item", "1 item"), (3, "item", "3 items")],
)
def test_count_words_says_one_item_and_many_items(number, noun, said):
    assert words.count_words(number, noun) == said


INCOME = [{"cred_def_id": CRED_DEF}]
EMPLOYER = {"job": {"names": ["employer"], "restrictions": INCOME}}
INCOME_AT_LEAST = {
    "income": {"name": "annual_income", "p_type": ">=", "p_value": 1, "restrictions": INCOME}
}


class ExchangeAdmin(FakeAdmin):
    """The console fake, answering for the verifier exchanges and terms messages given."""

    def __init__(self, records, messages=()):
        """Serve `records` (by pres_ex_id) and terms `messages`."""
        super().__init__()
        self.records = {r["pres_ex_id"]: r for r in records}
        self.messages = list(messages)

    def get(self, path, **params):
        """Answer the records and the terms messages; the rest as the base fake."""
        if path == "/present-proof-2.0/records":
            return {"results": list(self.records.values())}
        for pres_ex_id, record in self.records.items():
            if path == f"/present-proof-2.0/records/{pres_ex_id}":
                return record
        if path == "/tessera-terms/messages":
            wanted = [m for m in self.messages if all(m.get(k) == v for k, v in params.items())]
            return {"results": wanted}
        return super().get(path, **params)


def _proposal(number, attributes, predicates):
    return {
        "pres_ex_id": f"00000000-0000-0000-0000-00000000000{number}",
        "state": "proposal-received",
        "role": "verifier",
        "updated_at": f"2026-11-29T00:00:0{number}Z",
        "by_format": {
            "pres_proposal": {
                "anoncreds": {
                    "name": f"Smaller answer {number}",
                    "version": "1.0",
                    "requested_attributes": attributes,
                    "requested_predicates": predicates,
                }
            }
        },
    }


def test_proposals_are_counted_in_items_and_one_item(tmp_path):
    admin = ExchangeAdmin([_proposal(1, EMPLOYER, {}), _proposal(2, EMPLOYER, INCOME_AT_LEAST)])
    console = make_console("verifier", Agent("verifier", admin), tmp_path)
    page = console.get("/verifier/").text
    assert "Smaller answer 1</a>: 1 item</li>" in page
    assert "Smaller answer 2</a>: 2 items</li>" in page


def _wallet_reason(offered, asking, floor):
    """Return the reason the person's wallet sends with an automatic counter."""
    quote = Quote(Money.parse(asking), Money.parse(floor))
    said = answer(Money.parse(offered), quote)
    assert said.decision == "counter"
    return said.reason


EUR = {"currency": "EUR"}


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        (
            _wallet_reason(
                {**EUR, "amount": "0.10"}, {**EUR, "amount": "0.60"}, {**EUR, "amount": "0.48"}
            ),
            "Your offer of 0.10 EUR is below the person's lowest price, 0.48 EUR.",
        ),
        (
            _wallet_reason(
                {"currency": "USD", "amount": "1"},
                {**EUR, "amount": "0.60"},
                {**EUR, "amount": "0.48"},
            ),
            "The person prices in EUR; you offered USD.",
        ),
        ("Not below 2 EUR for my address, sorry.", "Not below 2 EUR for my address, sorry."),
        ("", ""),
    ],
)
def test_a_counter_reason_is_told_from_the_firms_side(reason, said):
    """The wallet words its automatic counters for its person; the firm reads them turned."""
    assert words.counter_reason(reason) == said


PRES_EX = "00000000-0000-0000-0000-000000000009"
OFFERED = {
    "request_thread_id": "request-thread",
    "revision": 0,
    "purpose": "age-check",
    "legal_basis": "consent",
    "retention": "P30D",
    "onward_sharing": False,
    "price": {"amount": "0.10", "currency": "EUR"},
}


def answered_exchange(state, answer):
    """Return (one verifier exchange in `state`, its terms offer and the person's `answer`)."""
    record = {
        "pres_ex_id": PRES_EX,
        "state": state,
        "role": "verifier",
        "connection_id": "conn-1",
        "thread_id": "request-thread",
        "updated_at": "2026-11-29T00:00:00Z",
        "by_format": {"pres_request": {"anoncreds": {"name": "Age check", **INCOME_AT_LEAST}}},
    }
    base = {"connection_id": "conn-1", "thread_id": "terms-thread", "status": "accepted"}
    offer = {**base, "kind": "offer", "direction": "sent", "body": OFFERED}
    response = {**base, "kind": "response", "direction": "received", "body": answer}
    return [record], [offer, response]


def countered_console(tmp_path, state, reason):
    """Return a verifier console over one exchange in `state` whose terms the person countered."""
    counter = {
        "decision": "counter",
        "price": {"amount": "0.60", "currency": "EUR"},
        "reason": reason,
        "revision": 0,
    }
    admin = ExchangeAdmin(*answered_exchange(state, counter))
    return make_console("verifier", Agent("verifier", admin), tmp_path)


def test_the_result_page_tells_the_persons_floor_as_their_lowest_price(tmp_path):
    reason = _wallet_reason(
        {**EUR, "amount": "0.10"}, {**EUR, "amount": "0.60"}, {**EUR, "amount": "0.48"}
    )
    console = countered_console(tmp_path, "request-sent", reason)
    page = console.get(f"/verifier/results/{PRES_EX}").text
    assert 'id="counter"' in page and "your floor" not in page
    assert "below the person&#39;s lowest price, 0.48 EUR" in page


@pytest.mark.parametrize(
    ("state", "offered", "told"),
    [
        ("request-sent", True, ""),
        ("proposal-received", True, ""),
        ("abandoned", False, "declined or failed before you accepted"),
        ("done", False, "finished before you accepted"),
    ],
)
def test_a_counter_is_offered_for_acceptance_only_while_the_exchange_goes_on(
    tmp_path, state, offered, told
):
    console = countered_console(tmp_path, state, "")
    page = console.get(f"/verifier/results/{PRES_EX}").text
    assert 'id="counter"' in page
    assert ('id="accept-counter"' in page) is offered and ("Accept counter" in page) is offered
    assert told in page and ('id="counter-closed"' in page) is not offered


class _FormDefaults(HTMLParser):
    """The fields a browser submits from each form of a page, as the page preset them."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._first = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((set(), MultiDict()))
        elif not self.forms:
            return
        names, fields = self.forms[-1]
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            names.add(a["name"])
            if a.get("type") != "checkbox" or "checked" in a:
                fields.add(a["name"], a.get("value", "on"))
        elif tag == "select":
            self._select, self._first = a["name"], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                fields.add(self._select, a.get("value", ""))
                self._select = None

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.forms[-1][1].add(self._select, self._first or "")
            self._select = None


def _as_preset(page):
    """Return what the send form submits untouched (the page's other forms left out)."""
    parser = _FormDefaults()
    parser.feed(page)
    return next(fields for names, fields in parser.forms if "state_terms" in names)


class NoConnectionAdmin(FakeAdmin):
    """A verifier's agent with no connection yet."""

    def get(self, path, **params):
        """Answer no connections; the rest as the base fake."""
        if path == "/connections":
            return {"results": []}
        return super().get(path, **params)


def _send_page(tmp_path, admin):
    console = make_console(
        "verifier", Agent("verifier", admin), tmp_path, TRUSTED_CRED_DEFS=[CRED_DEF]
    )
    return console, console.get("/verifier/requests/income_min").text


@pytest.mark.parametrize("admin_class", [FakeAdmin, NoConnectionAdmin])
def test_the_qr_code_works_from_the_send_form_as_it_comes(tmp_path, admin_class):
    """Ticked by default for a connection, terms do not stop a QR code (it carries none)."""
    console, page = _send_page(tmp_path, admin_class())
    shown = console.post("/verifier/requests/income_min", {**_as_preset(page), "mode": "oob"})
    assert shown.status_code == 200 and 'id="request-url"' in shown.text
    assert "No terms go with a request shown as a QR code" in shown.text
    admin = console.app.extensions["tessera"]["agent"].admin
    assert ("POST", "/tessera-terms/send") not in admin.writes()


def test_terms_are_preset_only_when_a_connection_can_carry_them(tmp_path):
    _, with_one = _send_page(tmp_path / "a", FakeAdmin())
    _, with_none = _send_page(tmp_path / "b", NoConnectionAdmin())
    assert _as_preset(with_one).get("state_terms") == "on"
    assert _as_preset(with_none).get("state_terms") is None


def test_a_connection_still_gets_the_preset_terms(tmp_path):
    console, page = _send_page(tmp_path, FakeAdmin())
    form = {**_as_preset(page), "mode": "connection", "connection_id": "conn-1"}
    assert console.post("/verifier/requests/income_min", form).status_code == 302
    admin = console.app.extensions["tessera"]["agent"].admin
    assert ("POST", "/tessera-terms/send") in admin.writes()


def test_terms_the_firm_ticks_for_a_qr_code_are_refused_with_what_to_do(tmp_path):
    console, page = _send_page(tmp_path, NoConnectionAdmin())
    form = {**_as_preset(page), "state_terms": "on", "mode": "oob"}
    refused = console.post("/verifier/requests/income_min", form)
    assert refused.status_code == 400 and 'id="state_terms-error"' in refused.text
    assert "A request shown as a QR code has no connection to carry terms" in refused.text
    assert console.app.extensions["tessera"]["agent"].admin.writes() == []


def test_preset_terms_still_do_not_stop_a_qr_code_after_the_form_comes_back(tmp_path):
    console, page = _send_page(tmp_path, FakeAdmin())
    back = console.post("/verifier/requests/income_min", {**_as_preset(page), "mode": "connection"})
    assert back.status_code == 400 and 'id="connection_id-error"' in back.text
    shown = console.post("/verifier/requests/income_min", {**_as_preset(back.text), "mode": "oob"})
    assert shown.status_code == 200 and 'id="request-url"' in shown.text
