"""The holder service without the web app: unlock and lock start and stop the responders."""

import datetime

import pytest

from tests.web.fake_agent import NATIONAL_ID, FakeAcaPy, FakeRunner
from tests.web.fake_inbox import FakeInbox
from wallet.consent.policy import Policy, Shape
from wallet.holder.rules import RulesFile
from wallet.holder.service import HolderService
from wallet.settings import Settings

PASSPHRASE = "a long enough passphrase"
NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)
ADULT = {
    "version": "1.0",
    "requested_attributes": {},
    "requested_predicates": {
        "adult": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129}
    },
}
AGE_RULE = Policy(firms={"conn-verifier": "trusted"}).add_shape(
    Shape("age", "approve", predicates_only=True, attributes=frozenset({"birthdate_dateint"}))
)


@pytest.fixture
def fake():
    """The fake holder agent, holding a national identity."""
    agent = FakeAcaPy()
    agent.add_credential(NATIONAL_ID)
    return agent


@pytest.fixture
def service(tmp_path, fake):
    """A service over the fake agent: no timers, a fake inbox, cheap history key."""
    holder = HolderService.for_settings(
        Settings(home=tmp_path, port_offset=0),
        runner=FakeRunner(fake),
        wall_clock=lambda: NOW,
        scrypt_n=2**10,
        inbox_client=FakeInbox(),
        revocation_interval=None,
        timer_interval=None,
    )
    yield holder
    holder.lock()


def test_unlock_starts_both_responders_and_lock_stops_them(service):
    responders = service.responders
    assert responders.rules.responder is None
    service.setup(PASSPHRASE, PASSPHRASE)
    hub = service.session.hub
    responder, terms_worker = responders.rules.responder, responders.terms._thread
    listening = [getattr(f, "__self__", None) for f in hub._listeners]
    assert responder in listening and responders.terms in listening
    assert terms_worker.is_alive() and all(t.is_alive() for t in responder._threads)
    service.lock()
    assert responders.rules.responder is None
    assert [getattr(f, "__self__", None) for f in hub._listeners] == [service]
    assert not terms_worker.is_alive() and not any(t.is_alive() for t in responder._threads)


def test_a_request_arriving_after_unlock_is_answered_by_a_rule_with_no_page_open(service, fake):
    RulesFile(service.data_dir).save(AGE_RULE)
    service.setup(PASSPHRASE, PASSPHRASE)
    pres_ex_id = fake.add_request({**ADULT, "name": "Adult check"})
    service.session.hub.publish("holder", "present_proof_v2_0", fake.requests[pres_ex_id])
    service.responders.rules.responder.drain()
    assert fake.requests[pres_ex_id]["state"] == "presentation-sent"
    [entry] = service.history.entries()
    assert (entry.action, entry.rule, entry.request_name) == ("sent", "shape:age", "Adult check")


def test_each_automatic_answer_gets_the_receipt_of_its_own_history_entry(service, fake):
    """Two answers to one firm: each receipt is linked to its entry, not to the newest one."""
    RulesFile(service.data_dir).save(AGE_RULE)
    paired = []
    service.responders.terms.receipt_for = lambda record, entry: paired.append(
        (record["pres_ex_id"], entry.request_name)
    )
    first = fake.add_request({**ADULT, "name": "First check"})
    second = fake.add_request({**ADULT, "name": "Second check"})
    service.setup(PASSPHRASE, PASSPHRASE)  # both were waiting: answered on catch-up
    service.responders.rules.responder.drain()
    assert sorted(paired) == [(first, "First check"), (second, "Second check")]
