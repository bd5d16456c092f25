"""Delivery: in order, on arrival when open, on trigger when unlocked, failures kept."""

import pytest

from wallet.inbox.delivery import backoff
from wallet.inbox.service import Inbox

from .envelopes import ENC, WIRE, envelope
from .fakes import FakeAgent

PERSON = "q" * 24
TARGET = "http://127.0.0.1:9"


@pytest.fixture
def agent():
    return FakeAgent()


@pytest.fixture
def inbox(tmp_path, agent):
    inbox = Inbox.open(tmp_path, post=agent, clock=lambda: 1000.0)
    inbox.register(PERSON, TARGET)
    yield inbox
    inbox.close()


def test_envelope_arriving_while_open_is_forwarded_with_its_content_type(inbox, agent):
    body = envelope()
    inbox.receive(PERSON, body, ENC)
    agent.wait_for(1)
    assert agent.received == [(TARGET, body, ENC)]
    assert inbox.deliver_now(PERSON).remaining == 0


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


def test_rejected_envelope_is_kept_and_does_not_block_the_rest(inbox, agent):
    inbox.hold(PERSON)
    bad, good = envelope(), envelope()
    agent.rejects[bad] = 400
    inbox.receive(PERSON, bad, WIRE)
    inbox.receive(PERSON, good, WIRE)
    report = inbox.deliver_now(PERSON)
    assert (report.delivered, report.rejected, report.remaining) == (1, 1, 1)
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


def test_held_queue_survives_a_restart_and_is_delivered_on_unlock(tmp_path):
    first = Inbox.open(tmp_path, post=FakeAgent(status=None))
    first.register(PERSON, TARGET)
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
