"""Delivery: in order, forgotten only once the agent processed it, failures kept, retried."""

import pytest

from wallet.inbox.ack import DUPLICATE, FAILED
from wallet.inbox.delivery import UNCONFIRMED, backoff, unreachable_backoff
from wallet.inbox.service import Inbox

from .envelopes import ENC, HOLDER_KID, WIRE, envelope
from .fakes import FakeAgent

PERSON = "q" * 24
TARGET = "http://127.0.0.1:9"


@pytest.fixture
def agent():
    return FakeAgent()


def opened(root, agent, **kwargs):
    inbox = Inbox.open(root, post=agent, **kwargs)
    inbox.register(PERSON, TARGET)
    inbox.register_keys(PERSON, [HOLDER_KID])
    return inbox


@pytest.fixture
def inbox(tmp_path, agent):
    inbox = opened(tmp_path, agent, clock=lambda: 1000.0)
    yield inbox
    inbox.close()


def test_envelope_arriving_while_open_is_forwarded_with_its_content_type(inbox, agent):
    body = envelope()
    inbox.receive(PERSON, body, ENC)
    agent.wait_for(1)
    assert agent.received == [(TARGET, body, ENC)]
    assert inbox.deliver_now(PERSON).remaining == 0


def test_each_delivery_carries_the_queue_name_as_its_id(inbox, agent):
    inbox.hold(PERSON)
    inbox.receive(PERSON, envelope(), WIRE)
    (item,) = inbox.store.pending(PERSON)
    inbox.deliver_now(PERSON)
    assert agent.attempts == [item.name]


def test_held_queue_delivers_everything_in_order_on_unlock(inbox, agent):
    inbox.hold(PERSON)
    bodies = [envelope() for _ in range(4)]
    for body in bodies:
        inbox.receive(PERSON, body, WIRE)
    assert inbox.pending_count(PERSON) == 4
    report = inbox.deliver_now(PERSON)
    assert (report.delivered, report.remaining) == (4, 0)
    assert agent.wait_for(4) == bodies


def test_unreachable_agent_keeps_everything_for_the_next_trigger(inbox, agent):
    agent.status = None
    inbox.hold(PERSON)
    for _ in range(3):
        inbox.receive(PERSON, envelope(), WIRE)
    report = inbox.deliver_now(PERSON)
    assert (report.delivered, report.remaining, report.reachable) == (0, 3, False)
    assert inbox.pending(PERSON).failed == 0
    agent.status = 202
    assert inbox.deliver_now(PERSON).delivered == 3


@pytest.mark.parametrize(
    ("outcome", "kept", "reason"),
    [
        ("", True, UNCONFIRMED),  # a stock ACA-Py: 200 before processing proves nothing
        (FAILED, True, "the agent's handler failed; kept"),
        (DUPLICATE, False, None),  # it had processed it before: done
    ],
)
def test_an_envelope_is_forgotten_only_once_the_agent_processed_it(
    inbox, agent, outcome, kept, reason
):
    inbox.hold(PERSON)
    body = envelope()
    agent.outcomes[body] = outcome
    inbox.receive(PERSON, body, WIRE)
    report = inbox.deliver_now(PERSON)
    assert report.remaining == (1 if kept else 0)
    if kept:
        (item,) = inbox.store.pending(PERSON)
        assert inbox.store.failure(PERSON, item)["reason"] == reason
        del agent.outcomes[body]
        assert inbox.deliver_now(PERSON).delivered == 1
    assert inbox.pending_count(PERSON) == 0


def test_an_echo_of_another_delivery_does_not_count(inbox, agent):
    inbox.hold(PERSON)
    inbox.receive(PERSON, envelope(), WIRE)
    answer_for_another = FakeAgent()
    inbox.deliverer.post = lambda url, body, kind, delivery: answer_for_another(
        url, body, kind, "000000000099-" + "0" * 64 + ".wire"
    )
    assert inbox.deliver_now(PERSON).remaining == 1


def test_rejected_envelope_is_kept_and_does_not_block_the_rest(inbox, agent):
    inbox.hold(PERSON)
    bad, good = envelope(), envelope()
    agent.rejects[bad] = 400
    inbox.receive(PERSON, bad, WIRE)
    inbox.receive(PERSON, good, WIRE)
    report = inbox.deliver_now(PERSON)
    assert (report.delivered, report.rejected, report.remaining) == (1, 1, 1)
    assert report.retry_at == 1000.0 + backoff(1)
    assert agent.wait_for(1) == [good]
    assert inbox.pending(PERSON).failed == 1
    # arrivals do not retry it inside its backoff; an explicit trigger does
    later = envelope()
    inbox.receive(PERSON, later, WIRE)
    assert agent.wait_for(2) == [good, later]
    assert inbox.pending_count(PERSON) == 1
    del agent.rejects[bad]
    assert inbox.deliver_now(PERSON).delivered == 1
    assert agent.wait_for(3) == [good, later, bad]
    assert inbox.pending(PERSON).failed == 0


def test_a_released_queue_whose_agent_died_is_retried_without_a_trigger(tmp_path, agent):
    inbox = opened(tmp_path, agent, retry=lambda passes: 0.05)
    try:
        agent.status = None  # the agent died while the wallet is unlocked
        body = envelope()
        inbox.receive(PERSON, body, WIRE)
        agent.wait_attempts(2)  # tried on arrival, then again by itself
        agent.status = 200  # the agent is back
        assert agent.wait_for(1) == [body]
    finally:
        inbox.close()


def test_a_queue_held_again_is_not_retried_by_itself(tmp_path, agent):
    inbox = opened(tmp_path, agent, retry=lambda passes: 0.05)
    try:
        agent.status = None
        inbox.receive(PERSON, envelope(), WIRE)
        agent.wait_attempts(2)  # retried while released
        inbox.hold(PERSON)  # the wallet locks
        assert inbox.deliverer.trigger(PERSON).done.wait(5)
        assert inbox.deliverer.trigger(PERSON).done.wait(5)  # any timer left has fired
        assert not inbox.deliverer.retry_planned(PERSON)
    finally:
        inbox.close()


def test_registering_keys_delivers_a_released_queue(tmp_path, agent):
    agent.status = None
    inbox = opened(tmp_path, agent, retry=lambda passes: 3600)
    try:
        inbox.receive(PERSON, envelope(), WIRE)
        agent.wait_attempts(1)
        agent.status = 200
        inbox.register_keys(PERSON, [HOLDER_KID])  # the agent (re)started
        agent.wait_for(1)
    finally:
        inbox.close()


def test_replayed_envelope_is_delivered_once(inbox, agent):
    body = envelope()
    assert inbox.receive(PERSON, body, WIRE) is True
    agent.wait_for(1)
    assert inbox.receive(PERSON, body, WIRE) is False
    assert inbox.deliver_now(PERSON).delivered == 0
    assert len(agent.received) == 1


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 5), (2, 10), (4, 40), (30, 3600)])
def test_backoff_doubles_up_to_an_hour(attempts, seconds):
    assert backoff(attempts) == seconds


@pytest.mark.parametrize(("passes", "seconds"), [(1, 2), (2, 4), (5, 32), (9, 60)])
def test_retry_of_an_unanswered_agent_doubles_up_to_a_minute(passes, seconds):
    assert unreachable_backoff(passes) == seconds


def test_held_queue_survives_a_restart_and_is_delivered_on_unlock(tmp_path):
    first = opened(tmp_path, FakeAgent(status=None))
    first.hold(PERSON)
    body = envelope()
    first.receive(PERSON, body, WIRE)
    first.close()
    agent = FakeAgent()
    second = Inbox.open(tmp_path, post=agent)
    try:
        second.deliver_now(PERSON)
        assert agent.wait_for(1) == [body]
    finally:
        second.close()
