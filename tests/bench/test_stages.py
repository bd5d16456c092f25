"""Stage tables: each stage ends at the controller's moment or at an agent's webhook."""

import pytest

from wallet.bench.stages import ISSUE_STAGES, STAGES, FirstOf, StageClock, summarize


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


class Event:
    """One webhook: role and payload."""

    def __init__(self, role, payload):
        """Keep role and payload."""
        self.role, self.payload = role, payload


class Clock:
    """A clock set by hand (seconds)."""

    now = 0.0

    def __call__(self):
        """Return the set time."""
        return self.now


def feed(hub, clock, thread_id, moments):
    """Deliver (role, state) webhooks for a thread at the given seconds."""
    for (role, state), at in moments:
        clock.now = at
        for listener in list(hub.listeners):
            listener(Event(role, {"thread_id": thread_id, "state": state}))


def agent_moments(stages, start=1.0, step=0.5):
    """Return every agent moment a stage table waits for, `step` seconds apart."""
    ends = [end.moments[0] if isinstance(end, FirstOf) else end for *_, end in stages]
    ends = [end for end in ends if isinstance(end, tuple)]
    return [(end, start + i * step) for i, end in enumerate(ends)]


def test_proof_stages_line_up_controller_and_webhooks():
    hub, clock = Hub(), Clock()
    stages = StageClock(hub, STAGES, clock=clock)
    feed(hub, clock, "t1", [(("holder", "ignored-state"), 0.1), *agent_moments(STAGES)])
    split = stages.split("t1", started=0.0, sent=0.5, finished=3.0)
    assert split == {
        "send_request": 500.0,
        "to_holder": 500.0,
        "holder": 500.0,
        "to_verifier": 500.0,
        "verify": 500.0,
        "notify": 500.0,
    }
    assert stages.split("t1", 0.0, 0.5, 3.0) is None  # consumed
    stages.close()
    assert hub.listeners == []


@pytest.mark.parametrize(
    ("holder_moments", "holder_ms"),
    [
        ([(("holder", "presentation-sent"), 1.0)], 500.0),
        ([(("holder", "done"), 1.0)], 500.0),  # promised no ack: done, never sent
        ([(("holder", "presentation-sent"), 1.0), (("holder", "done"), 2.5)], 500.0),
        ([], None),
    ],
)
def test_the_holder_stage_ends_at_its_first_report_of_sending(holder_moments, holder_ms):
    hub, clock = Hub(), Clock()
    stages = StageClock(hub, STAGES, clock=clock)
    feed(hub, clock, "t1", [(("holder", "request-received"), 0.5), *holder_moments])
    feed(hub, clock, "t1", [(("verifier", "presentation-received"), 1.5)])
    feed(hub, clock, "t1", [(("verifier", "done"), 2.0)])
    split = stages.split("t1", started=0.0, sent=0.25, finished=3.0)
    assert (split and split["holder"]) == holder_ms


def test_issuance_stages_need_every_moment():
    hub, clock = Hub(), Clock()
    stages = StageClock(hub, ISSUE_STAGES, clock=clock)
    moments = agent_moments(ISSUE_STAGES, start=0.5)
    feed(hub, clock, "t1", moments)
    finished = moments[-1][1] + 0.25
    split = stages.split_only(started=0.0, finished=finished)
    assert list(split) == [name for name, *_ in ISSUE_STAGES]
    assert split["send_offer"] == 500.0 and split["notify"] == 250.0
    feed(hub, clock, "t2", moments[:-1])  # the issuer's done never came
    assert stages.split_only(0.0, finished) is None


@pytest.mark.parametrize("threads", [0, 2])
def test_split_only_wants_exactly_one_exchange(threads):
    hub, clock = Hub(), Clock()
    stages = StageClock(hub, ISSUE_STAGES, clock=clock)
    for i in range(threads):
        feed(hub, clock, f"t{i}", agent_moments(ISSUE_STAGES))
    assert stages.split_only(0.0, 10.0) is None


def test_summarize_skips_incomplete_exchanges():
    splits = [None, {name: 10.0 for name, *_ in STAGES}]
    assert summarize(splits)["verify"]["p50"] == 10.0
