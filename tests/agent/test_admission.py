"""Back-pressure: exchanges are admitted while the agents can answer them in time."""

import pytest

from wallet.agent.admission import Admission, ExchangeGate
from wallet.errors import Busy, ConfigError, WalletError


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        """Start at zero."""
        self.now = 0.0

    def __call__(self):
        """Return the current time."""
        return self.now


def test_admits_the_initial_slots_then_refuses_at_once():
    admission = Admission(initial_slots=3, min_slots=3, clock=Clock())
    tickets = [admission.admit() for _ in range(3)]
    with pytest.raises(Busy) as refused:
        admission.admit()
    assert isinstance(refused.value, WalletError)
    assert refused.value.in_flight == 3 and refused.value.capacity == 3
    assert 0 < refused.value.retry_after <= admission.target_wait
    assert "try again" in str(refused.value) and "Nothing was sent" in str(refused.value)
    tickets[0].release()
    tickets[0].release()  # a second release frees nothing more
    assert admission.in_flight() == 2
    admission.admit()
    assert admission.refused == 1


@pytest.mark.parametrize(
    ("rate", "target_wait", "capacity"),
    [
        (3.0, 3.0, 9),  # three a second, three seconds: nine in flight
        (0.2, 3.0, 4),  # never below min_slots
        (100.0, 3.0, 64),  # never above max_slots
        (4.0, 1.5, 6),
    ],
)
def test_capacity_follows_the_measured_rate(rate, target_wait, capacity):
    clock = Clock()
    admission = Admission(target_wait=target_wait, clock=clock)
    for _ in range(12):  # exchanges finishing one after another at `rate`
        clock.now += 1 / rate
        admission.admit().release()
    assert admission.capacity() == capacity


def test_old_completions_leave_the_window():
    clock = Clock()
    admission = Admission(initial_slots=5, window=10.0, clock=clock)
    for _ in range(10):
        clock.now += 0.25
        admission.admit().release()
    assert admission.capacity() == 12  # 9 intervals in 2.25 s: 4 a second, for 3 s
    clock.now += 60  # nothing finished for a minute: back to the initial guess
    assert admission.capacity() == 5


def test_ticket_as_context_releases_on_error():
    admission = Admission(initial_slots=1, min_slots=1, clock=Clock())
    with pytest.raises(RuntimeError), admission.admit():
        raise RuntimeError("the exchange failed")
    assert admission.in_flight() == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target_wait": 0},
        {"min_slots": 0},
        {"initial_slots": 3, "min_slots": 4},
        {"initial_slots": 100, "max_slots": 64},
    ],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ConfigError):
        Admission(**kwargs)


class Hub:
    """The webhook hub's listener interface, fed by hand."""

    def __init__(self):
        """No listener yet."""
        self.listeners = []

    def add_listener(self, listener):
        """Register a listener."""
        self.listeners.append(listener)

    def remove_listener(self, listener):
        """Drop a listener."""
        self.listeners.remove(listener)

    def publish(self, role, topic, payload):
        """Deliver one webhook to every listener."""
        event = type("Event", (), {"role": role, "topic": topic, "payload": payload})()
        for listener in list(self.listeners):
            listener(event)


def sender(ids):
    """Return a send() that hands out (pres_ex_id, thread_id) pairs."""
    it = iter(ids)
    return lambda: (next(it), "thread")


@pytest.mark.parametrize(
    ("role", "topic", "state", "freed"),
    [
        ("verifier", "present_proof_v2_0", "done", True),
        ("verifier", "present_proof_v2_0", "abandoned", True),
        ("verifier", "present_proof_v2_0", "presentation-received", False),
        ("holder", "present_proof_v2_0", "done", False),
        ("verifier", "issue_credential_v2_0", "done", False),
    ],
)
def test_gate_frees_a_slot_when_the_verifiers_exchange_ends(role, topic, state, freed):
    hub = Hub()
    gate = ExchangeGate(Admission(initial_slots=1, min_slots=1, clock=Clock()), hub)
    assert gate.request(sender(["ex-1"])) == ("ex-1", "thread")
    hub.publish(role, topic, {"pres_ex_id": "ex-1", "state": state})
    assert gate.open_count() == (0 if freed else 1)
    if not freed:
        with pytest.raises(Busy):
            gate.request(sender(["ex-2"]))
    gate.close()
    assert hub.listeners == []


def test_gate_refuses_before_sending_and_frees_a_failed_send():
    hub, sent = Hub(), []
    gate = ExchangeGate(Admission(initial_slots=1, min_slots=1, clock=Clock()), hub)

    def failing():
        sent.append(1)
        raise WalletError("the agent said no")

    with pytest.raises(WalletError, match="said no"):
        gate.request(failing)
    assert gate.admission.in_flight() == 0
    gate.request(sender(["ex-1"]))
    with pytest.raises(Busy):
        gate.request(failing)
    assert sent == [1]  # the refused request was never sent


def test_gate_releases_exchanges_that_never_end():
    clock, hub = Clock(), Hub()
    gate = ExchangeGate(Admission(initial_slots=1, min_slots=1, clock=clock), hub, max_age=60.0)
    gate.request(sender(["ex-1"]))
    clock.now = 61.0
    assert gate.request(sender(["ex-2"])) == ("ex-2", "thread")
    assert gate.open_count() == 1
