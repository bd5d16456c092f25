"""While the agent is restarted the wallet says "reconnecting"; the API answers 503 + Retry-After.

The agent is faked at its HTTP boundary (a dead agent refuses connections); the
decisions are the real `Supervisor`'s and the runner's `unavailable()` is the real one.
"""

import re

import httpx
import pytest
from flask import render_template_string

from wallet.agent.admin import AdminClient
from wallet.agent.supervisor import Supervisor
from wallet.errors import AgentStartError
from wallet.holder.backoff import Backoff
from wallet.holder.runner import ProcessRunner
from wallet.holder.service import HolderService
from wallet.settings import Settings
from wallet.web import create_app

from .conftest import TODAY, Person
from .fake_agent import FakeRunner


class DyingRunner(FakeRunner):
    """The fake agent, which the test kills; restarted by a real `Supervisor` on `clock`."""

    unavailable = ProcessRunner.unavailable

    def __init__(self, fake, clock):
        super().__init__(fake)
        self.clock = clock
        self.dead = False
        self.failing = 0
        self.supervisor = None

    def start(self, passphrase, webhook_url):
        super().start(passphrase, webhook_url)
        admin = AdminClient("http://fake-holder", transport=httpx.MockTransport(self._answer))
        self.supervisor = Supervisor(
            "wallet's agent", self.alive, self._restart, clock=self.clock, max_failures=2
        )
        admin.on_no_answer = self.unavailable
        return admin

    def _answer(self, request):
        if self.dead:
            raise httpx.ConnectError("Connection refused", request=request)
        return self.fake.handle(request)

    def alive(self):
        return not self.dead

    def _restart(self):
        if self.failing:
            self.failing -= 1
            raise AgentStartError("the agent did not start")
        self.dead = False

    def stop(self):
        super().stop()
        if self.supervisor is not None:
            self.supervisor.stop()


@pytest.fixture
def runner(fake, clock):
    return DyingRunner(fake, clock)


@pytest.fixture
def service(tmp_path, runner, clock):
    holder = HolderService.for_settings(
        Settings(home=tmp_path, port_offset=0, loopback_egress=True),
        runner=runner,
        clock=clock,
        wall_clock=lambda: TODAY,
        backoff=Backoff(clock=clock),
        scrypt_n=2**10,
    )
    yield holder
    holder.lock()


@pytest.fixture
def app(tmp_path, service):
    return create_app(
        {
            "TESSERA_HOME": tmp_path,
            "SECRET_KEY": "test-only",
            "HOLDER_SERVICE": service,
            "WALL_CLOCK": lambda: TODAY,
        }
    )


@pytest.fixture
def token(app):
    person = Person(app.test_client())
    assert person.set_up().status_code == 302
    page = person.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    return re.search(r'<code id="new-token">([^<]+)</code>', page.get_data(as_text=True))[1]


def api(app, token):
    return app.test_client().get(
        "/api/v1/credentials", headers={"Authorization": f"Bearer {token}"}
    )


def banner(app, service):
    from wallet.web.errors import agent_state

    with app.test_request_context("/"):
        return render_template_string(
            '{% include "_reconnecting.html" %}', **agent_state(service)
        ).strip()


def test_the_api_answers_503_with_retry_after_while_the_agent_restarts(app, token, runner):
    assert api(app, token).status_code == 200
    runner.dead = True
    response = api(app, token)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    body = response.get_json()
    assert body["error"] == "AgentRestarting" and "reconnecting" in body["message"]
    assert "fake-holder" not in body["message"]


def test_pages_say_reconnecting_then_work_again_once_restarted(app, token, runner, service):
    assert banner(app, service) == ""
    runner.dead = True
    assert "Reconnecting" in banner(app, service)
    assert runner.supervisor.poll() == "running"  # the supervisor's thread, one step
    assert runner.supervisor.restarts == 1
    assert banner(app, service) == ""
    assert api(app, token).status_code == 200


def test_a_dead_call_in_flight_is_503_before_the_supervisor_noticed(app, token, runner):
    runner.dead = True  # not polled yet: the admin client's own no-answer says so
    assert runner.supervisor.state == "running"
    assert api(app, token).status_code == 503


def test_given_up_says_lock_and_unlock_and_locking_ends_it(app, token, runner, service, clock):
    runner.dead, runner.failing = True, 5
    runner.supervisor.poll()
    clock.now += 5
    assert runner.supervisor.poll() == "gave up"
    response = api(app, token)
    assert response.status_code == 503 and "Retry-After" not in response.headers
    assert "unlock it again" in response.get_json()["message"]
    assert "keeps stopping" in banner(app, service)
    service.lock()
    assert banner(app, service) == ""
    assert api(app, token).status_code == 423
