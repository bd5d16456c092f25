"""The supervisor's decisions, stepped by hand on a clock the test moves."""

import threading

import pytest

from wallet.agent.supervisor import GAVE_UP, RESTARTING, RUNNING, STOPPED, Supervisor, watch
from wallet.errors import AgentStartError


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Process:
    """A process the test kills; `restart()` fails `failing` times first."""

    def __init__(self, clock, start_takes=0.0, failing=0):
        self.clock, self.start_takes, self.failing = clock, start_takes, failing
        self.up, self.starts = True, 0

    def alive(self):
        return self.up

    def restart(self):
        self.starts += 1
        self.clock.now += self.start_takes
        if self.failing:
            self.failing -= 1
            raise AgentStartError("port in use")
        self.up = True


def make(clock, process, **options):
    options.setdefault("delays", (0.0, 1.0, 2.0))
    return Supervisor("agent", process.alive, process.restart, clock=clock, **options)


def test_a_living_process_is_left_alone():
    clock = Clock()
    process = Process(clock)
    supervisor = make(clock, process)
    for _ in range(3):
        clock.now += 10
        assert supervisor.poll() == RUNNING
    assert process.starts == 0 and supervisor.deaths == 0


def test_a_dead_process_is_restarted_and_the_time_back_measured():
    clock = Clock()
    process = Process(clock, start_takes=4.0)
    supervisor = make(clock, process)
    process.up = False
    assert supervisor.poll() == RUNNING
    assert (process.starts, supervisor.restarts, supervisor.deaths) == (1, 1, 1)
    assert supervisor.last_ready_s == 4.0


@pytest.mark.parametrize(
    ("lifetime", "deaths", "state"),
    [
        (1.0, 3, RUNNING),  # three fast deaths: still restarted (max 3)
        (1.0, 4, GAVE_UP),  # the fourth in a row: given up
        (60.0, 10, RUNNING),  # each lived longer than fast_death: never given up
    ],
)
def test_repeated_fast_deaths_give_up(lifetime, deaths, state):
    clock = Clock()
    process = Process(clock)
    supervisor = make(clock, process, fast_death=30.0, max_fast_deaths=3, delays=(0.0,))
    for _ in range(deaths):
        clock.now += lifetime
        process.up = False
        supervisor.poll()
    assert supervisor.state == state
    if state == GAVE_UP:
        assert "4 times" in supervisor.problem and not process.up
        clock.now += 1000
        assert supervisor.poll() == GAVE_UP and process.starts == deaths - 1


@pytest.mark.parametrize(("forgiven", "state"), [(False, GAVE_UP), (True, RUNNING)])
def test_deaths_caused_on_purpose_are_forgiven_and_not_a_crash_loop(forgiven, state):
    clock = Clock()
    process = Process(clock)
    supervisor = make(clock, process, fast_death=30.0, max_fast_deaths=3, delays=(0.0,))
    for _ in range(4):
        clock.now += 1.0
        if forgiven:
            supervisor.forgive()
        process.up = False
        supervisor.poll()
    assert supervisor.state == state


def test_failed_restarts_back_off_then_give_up():
    clock = Clock()
    process = Process(clock, failing=10)
    supervisor = make(clock, process, max_failures=3)
    process.up = False
    assert supervisor.poll() == RESTARTING and process.starts == 1  # first try at once
    clock.now += 0.5
    assert supervisor.poll() == RESTARTING and process.starts == 1  # waits its 1 s
    assert supervisor.retry_after() >= 1
    clock.now += 0.5
    assert supervisor.poll() == RESTARTING and process.starts == 2
    clock.now += 1.9
    supervisor.poll()
    assert process.starts == 2  # then 2 s
    clock.now += 0.1
    assert supervisor.poll() == GAVE_UP and process.starts == 3
    assert "3 times in a row" in supervisor.problem and "port in use" in supervisor.problem


def test_a_restart_that_fails_once_then_works_runs_again():
    clock = Clock()
    process = Process(clock, failing=1)
    supervisor = make(clock, process)
    process.up = False
    supervisor.poll()
    clock.now += 1.0
    assert supervisor.poll() == RUNNING and supervisor.restarts == 1 and supervisor.problem == ""


def test_retry_after_counts_the_wait_and_the_last_measured_start():
    clock = Clock()
    process = Process(clock, start_takes=3.0)
    supervisor = make(clock, process, delays=(0.0, 10.0), fast_death=1.0)
    process.up = False
    supervisor.poll()  # restarted: a start takes 3 s
    clock.now += 60
    process.up, process.failing = False, 1
    supervisor.poll()  # died again, the start failed; the next try in 10 s
    assert supervisor.retry_after() == 13
    clock.now += 9.5
    assert supervisor.retry_after() == 4


def test_a_stopped_supervisor_restarts_nothing():
    clock = Clock()
    process = Process(clock)
    supervisor = make(clock, process)
    supervisor.stop()
    process.up = False
    assert supervisor.poll() == STOPPED and process.starts == 0


def test_watch_restarts_in_its_thread_until_stopped():
    restarted = threading.Event()
    state = {"up": False}

    def restart():
        state["up"] = True
        restarted.set()

    supervisor = Supervisor("agent", lambda: state["up"], restart)
    stopping = watch(supervisor, interval=0.01)
    assert restarted.wait(10)
    stopping.set()
    assert supervisor.restarts == 1
