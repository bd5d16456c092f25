"""The unlocked wallet: the agent process, its webhook hub, the `Agent` and the history.

Nothing runs while the wallet is locked. `open()` starts a hub and the agent with the
passphrase as wallet key and opens the history with a key derived from it; `close()`
stops them. A browser session id is made at each unlock; the session ends when the
wallet has been idle for `idle_timeout` seconds.
"""

import datetime
import secrets
import time

from ..agent.handle import Agent
from ..agent.webhooks import WebhookHub
from ..history import HistoryLog
from . import sending
from .backoff import Backoff, ClientBackoff
from .errors import Locked
from .passcheck import PassphraseCheck
from .records import IssuanceIndex


def _utcnow():
    return datetime.datetime.now(datetime.UTC)


class Session:
    """The running agent, hub, history and session id of one unlock; empty while locked."""

    def __init__(
        self,
        data_dir,
        runner,
        clock=time.monotonic,
        wall_clock=_utcnow,
        idle_timeout=900.0,
        scrypt_n=None,
        backoff=None,
        history_anchor=None,
    ):
        """Use `runner` to start the agent; `clock` (monotonic) measures idleness.

        `backoff` slows down repeated wrong passphrases (backup checks, and unlocks by
        everyone together); `unlock_backoff` also slows each client down on its own;
        `scrypt_n` sets the cost of the history key and the passphrase verifier (tests
        make it cheap); `history_anchor(passphrase)` gives where the history's head is
        anchored (None: beside the history).
        """
        self.data_dir = data_dir
        self.runner = runner
        self.clock = clock
        self.wall_clock = wall_clock
        self.idle_timeout = idle_timeout
        self.backoff = backoff or Backoff(clock=clock)
        shared = backoff or Backoff(clock=clock, free=10)
        self.unlock_backoff = ClientBackoff(shared=shared, clock=clock)
        self.passcheck = PassphraseCheck(data_dir, scrypt_n)
        self._scrypt = {"scrypt_n": scrypt_n} if scrypt_n else {}
        self.history_anchor = history_anchor or (lambda passphrase: None)
        self.hub = None
        self.agent = None
        self.history = None
        self.issuance = IssuanceIndex()  # who issued each credential, per unlock
        self.session_id = None
        self.last_seen = 0.0

    @property
    def unlocked(self):
        """Return True while the agent runs."""
        return self.agent is not None

    def require(self):
        """Return the running `Agent`; raise `Locked`, or `AgentRestarting` while it restarts."""
        agent = self.agent
        if agent is None:
            raise Locked()
        problem = self.agent_problem()
        if problem is not None:
            raise problem
        return agent

    def agent_problem(self):
        """Return why the agent cannot answer now (`AgentRestarting`, `AgentGaveUp`), or None."""
        unavailable = getattr(self.runner, "unavailable", None)
        return unavailable() if unavailable is not None and self.agent is not None else None

    @property
    def reconnecting(self):
        """Return True while unlocked and the agent is being restarted (or given up on)."""
        return self.agent_problem() is not None

    def open(self, passphrase, on_event=None):
        """Start the hub, the agent (wallet key: `passphrase`) and the history; return the agent.

        `on_event(event)` hears every webhook of the new hub. Whatever started is
        stopped again if a later step fails.
        """
        hub = WebhookHub().start()
        try:
            admin = self.runner.start(passphrase, hub.url_for("holder"))
            history = HistoryLog(
                self.data_dir / "history",
                passphrase,
                clock=self.wall_clock,
                anchor=self.history_anchor(passphrase),
                **self._scrypt,
            )
        except BaseException:
            self.runner.stop()
            hub.stop()
            raise
        if on_event is not None:
            hub.add_listener(on_event)
        self.hub, self.history = hub, history
        self.agent = Agent("holder", admin, hub)
        self.issuance = IssuanceIndex()
        sending.settle(history, self.agent)  # entries of presentations a killed wallet sent
        return self.agent

    def new_id(self):
        """Start a browser session: return a new session id and count it as activity."""
        self.session_id = secrets.token_urlsafe(24)
        self.touch()
        return self.session_id

    def close(self):
        """Forget the agent, history and session id; stop the agent and the hub."""
        self.agent = None
        history, self.history = self.history, None
        if history is not None:
            history.close()
        self.session_id = None
        self.runner.stop()
        if self.hub is not None:
            self.hub.stop()
            self.hub = None

    def touch(self):
        """Record activity now."""
        self.last_seen = self.clock()

    @property
    def idle(self):
        """Return True when the wallet is unlocked and nothing happened for `idle_timeout` s."""
        return self.unlocked and self.clock() - self.last_seen > self.idle_timeout
