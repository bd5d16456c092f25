"""Words on the consoles' pages (#19): articles, counts, and a counter in the firm's words."""

import pytest

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


def countered_console(tmp_path, state, reason):
    """Return a verifier console over one exchange in `state` whose terms the person countered."""
    record = {
        "pres_ex_id": PRES_EX,
        "state": state,
        "role": "verifier",
        "connection_id": "conn-1",
        "thread_id": "request-thread",
        "updated_at": "2026-11-29T00:00:00Z",
        "by_format": {"pres_request": {"anoncreds": {"name": "Age check", **INCOME_AT_LEAST}}},
    }
    offer = {
        "kind": "offer",
        "direction": "sent",
        "connection_id": "conn-1",
        "thread_id": "terms-thread",
        "status": "accepted",
        "body": OFFERED,
    }
    counter = {
        "kind": "response",
        "direction": "received",
        "connection_id": "conn-1",
        "thread_id": "terms-thread",
        "status": "accepted",
        "body": {
            "decision": "counter",
            "price": {"amount": "0.60", "currency": "EUR"},
            "reason": reason,
            "revision": 0,
        },
    }
    admin = ExchangeAdmin([record], [offer, counter])
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
