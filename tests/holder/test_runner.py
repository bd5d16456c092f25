"""The holder runner's restart: a dead agent's process and its client are let go."""

from pathlib import Path

from wallet.holder.runner import ProcessRunner
from wallet.settings import Settings


class FakeClient:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


class FakeProcess:
    def __init__(self, home):
        self.admin = FakeClient()
        self.log_path = Path(home) / "agent.log"
        self.arg_file = Path(home) / "args.yml"
        self.started = self.reaped = False

    def start(self):
        self.started = True

    def reap(self):
        self.reaped = True


class FakeDeployment:
    def __init__(self, home):
        self.settings = Settings(home=home)
        self.home = home
        self.made = []

    def process(self, role, **options):
        self.made.append(FakeProcess(self.home))
        return self.made[-1]


def test_a_restart_reaps_the_dead_process_and_closes_its_client(tmp_path):
    """An unclosed client would leave its pooled socket to the garbage collector."""
    deployment = FakeDeployment(tmp_path)
    runner = ProcessRunner(deployment, supervise=False)
    runner._proc = deployment.process("holder")
    runner._start_args = ("passphrase", None)
    runner._restart()
    dead, new = deployment.made
    assert dead.reaped and dead.admin.closed
    assert new.started and not new.admin.closed and runner._proc is new
