"""A fresh wallet agrees to nothing on its own: no prices, no counters, no terms (#19.1)."""

import datetime

import pytest

from wallet.holder.termsanswer import TermsAnswer
from wallet.pricing import store
from wallet.pricing.money import Money
from wallet.pricing.price_list import automatic, parse_price_list, quote

from .fake_agent import AGE_INCOME_REQUEST, INCOME, NATIONAL_ID
from .fake_terms import FakeTermsAcaPy

NOW = datetime.datetime.now(datetime.UTC)


def _offer(price="5.00", purpose="credit-check", retention="P1Y", sharing=True):
    return {
        "purpose": purpose,
        "purpose_text": "",
        "legal_basis": "contract",
        "retention": retention,
        "onward_sharing": sharing,
        "price": {"amount": price, "currency": "EUR"},
        "request_thread_id": "p-1",
        "revision": 0,
        "firm_key": "did:key:z6Mk",
    }


@pytest.fixture
def fake():
    """The fake agent with the terms routes."""
    return FakeTermsAcaPy()


@pytest.fixture
def waiting(fake):
    """A request with an offer of terms that pays well above any example price."""
    fake.add_credential(NATIONAL_ID)
    fake.add_credential(INCOME)
    pres_ex_id = fake.add_request(AGE_INCOME_REQUEST)
    fake.requests[pres_ex_id]["thread_id"] = "p-1"
    fake.add_message(kind="offer", connection_id="conn-verifier", body=_offer(), receipt_id="")
    return pres_ex_id


def _sent(fake):
    return [m for m in fake.messages if m["direction"] == "sent"]


def _answer_all(service):
    answerer = TermsAnswer(service.data_dir, lambda: NOW)
    answerer._agent = service.require()  # the worker's agent, without a webhook hub
    answerer._waiting = service.waiting
    answerer.handle("catch-up", None)
    return answerer


def test_fresh_wallet_has_no_prices_and_says_so(unlocked, service):
    assert store.load(service.data_dir) is None
    page = unlocked.client.get("/prices/").get_data(as_text=True)
    assert 'id="no-prices"' in page and "You have not set any prices" in page
    automatic_answers = page.split('id="automatic"')[1].split("</fieldset>")[0]
    assert "checked" not in automatic_answers  # counters and acceptance are off


def test_fresh_wallet_answers_no_offer_on_its_own(unlocked, service, fake, waiting):
    _answer_all(service)
    assert _sent(fake) == []
    page = unlocked.client.get(f"/requests/{waiting}").get_data(as_text=True)
    assert 'data-status="offered"' in page and 'id="terms-answered"' not in page
    assert 'id="terms-no-price"' in page and "Nothing is agreed until you choose" in page


def test_prices_alone_accept_nothing_and_counter_nothing(unlocked, service, fake, waiting):
    store.save(service.data_dir, {**store.DEFAULT, "floor_ratio": "1"})
    _answer_all(service)
    assert _sent(fake) == []  # the price is met, but no rule names the other terms


def test_a_rule_naming_every_term_accepts(unlocked, service, fake, waiting):
    rule = {"purposes": ["credit-check"], "max_retention": "P1Y", "onward_sharing": True}
    store.save(service.data_dir, {**store.DEFAULT, "auto_accept": rule})
    _answer_all(service)
    (answer,) = _sent(fake)
    assert answer["kind"] == "response" and answer["body"]["decision"] == "accept"


PRICES = {**store.DEFAULT, "purposes": {}}
RULE = {"purposes": ["credit-check"], "max_retention": "P6M", "onward_sharing": False}


@pytest.mark.parametrize(
    ("prices", "offer", "decision"),
    [
        (PRICES, _offer(), "ask"),  # price met, no rule
        ({**PRICES, "auto_accept": RULE}, _offer(sharing=False, retention="P30D"), "accept"),
        ({**PRICES, "auto_accept": RULE}, _offer(sharing=False, retention="P1Y"), "ask"),
        ({**PRICES, "auto_accept": RULE}, _offer(sharing=True, retention="P30D"), "ask"),
        ({**PRICES, "auto_accept": RULE}, _offer(purpose="marketing", sharing=False), "ask"),
        ({**PRICES, "auto_accept": RULE}, _offer(price="0.10", sharing=False), "ask"),
        (PRICES, _offer(price="0.01"), "ask"),  # below the floor, counters off
        ({**PRICES, "auto_counter": True}, _offer(price="0.01"), "counter"),
    ],
)
def test_automatic_answers_need_the_persons_rule(prices, offer, decision):
    prices = parse_price_list(prices)
    q = quote(prices, ["nationality"], ["age", "income"], offer["purpose"])
    result = automatic(prices, offer, q)
    assert result.decision == decision, result.reason
    if decision == "counter":
        assert result.price == Money.parse({"amount": "0.70", "currency": "EUR"})


def test_price_page_saves_the_automatic_rules_only_when_ticked(unlocked, service):
    base = {"currency": "EUR", "attribute": "0.50", "predicate": "0.10", "floor_ratio": "0.8"}
    assert unlocked.post("/prices/", base).status_code == 302
    saved = store.load(service.data_dir)
    assert saved.auto_counter is False and saved.auto_accept is None
    bad = unlocked.post("/prices/", {**base, "auto_accept": "on", "accept_days": "x"})
    assert bad.status_code == 400 and "at least one purpose" in bad.get_data(as_text=True)
    ok = unlocked.post(
        "/prices/",
        {
            **base,
            "auto_counter": "on",
            "auto_accept": "on",
            "accept_purpose": "age-check",
            "accept_days": "30",
        },
    )
    assert ok.status_code == 302
    saved = store.load(service.data_dir)
    assert saved.auto_counter is True
    assert saved.auto_accept.to_json() == {
        "purposes": ["age-check"],
        "max_retention": "P30D",
        "onward_sharing": False,
    }
