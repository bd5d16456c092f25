"""The wallet's side of its inbox: hold on lock, deliver on unlock, count what waits.

The inbox normally runs as its own process (`python -m wallet.inbox`, started by
`tessera demo`). A wallet that runs its own holder agent and finds no inbox answering
starts one inside its own process (`ensure_running`), never a second one. When the inbox
is down the wallet still works, but messages firms send while it is locked cannot be
queued: the lock screen says so.
"""

import logging
from dataclasses import dataclass

from ..errors import AgentError, WalletError
from ..inbox import replay
from ..inbox.client import InboxClient
from ..inbox.holder import control_key, holder_person_id, holder_target, inbox_port, inbox_root
from ..inbox.service import start_service
from ..settings import HOST

LOG = logging.getLogger("tessera.wallet")

DOWN = (
    "The inbox is not running: messages firms send while the wallet is locked cannot be "
    "queued, and their agents give up after about a minute. Start it (tessera demo starts "
    "it; or run python -m wallet.inbox) to receive messages while locked."
)


class OneShotClient:
    """The inbox's control calls, each on a fresh `InboxClient` closed at once (no idle sockets).

    The wallet calls its inbox a few times per lock and unlock; keeping no pooled
    connection means nothing is left open when the app goes away.
    """

    def __init__(self, base_url, key):
        """Talk to the inbox at `base_url` with the control `key`."""
        self.base_url = base_url
        self._key = key

    def _call(self, name, *args):
        client = InboxClient(self.base_url, self._key)
        try:
            return getattr(client, name)(*args)
        finally:
            client.close()

    def healthy(self):
        """Return True when the inbox answers."""
        return self._call("healthy")

    def pending_count(self, person_id):
        """Return how many envelopes wait for the person."""
        return self._call("pending_count", person_id)

    def hold(self, person_id):
        """Hold delivery."""
        return self._call("hold", person_id)

    def deliver_now(self, person_id):
        """Release delivery and deliver what waits; return the report."""
        return self._call("deliver_now", person_id)

    def register(self, person_id, deliver_to):
        """Serve the person's id, delivering to `deliver_to`."""
        return self._call("register", person_id, deliver_to)


def default_client(settings):
    """Return the control client of the inbox of `settings` (loopback, its control key)."""
    return OneShotClient(f"http://{HOST}:{inbox_port(settings)}", control_key(settings))


@dataclass(frozen=True)
class InboxState:
    """What the lock screen shows: is the inbox up, how many messages wait."""

    running: bool
    waiting: int = 0

    @property
    def message(self):
        """Return the sentence for the lock screen."""
        if not self.running:
            return DOWN
        if self.waiting == 0:
            return "No messages from firms are waiting."
        if self.waiting == 1:
            return "1 message from a firm is waiting; unlock to read it."
        return f"{self.waiting} messages from firms are waiting; unlock to read them."


class InboxLink:
    """One person's queue in the inbox, seen from the wallet."""

    def __init__(self, client, person_id, own=True):
        """Use `client` (an `InboxClient`, a fake, or a callable making one on first use).

        `person_id` is a str or a callable; with `own`, the wallet may start an inbox in
        its own process when none answers (`ensure_running`).
        """
        self._client = client
        self._person_id = person_id
        self._read_id = person_id if callable(person_id) else (lambda: person_id)
        self.own = own
        self.server = None

    @classmethod
    def for_settings(cls, settings, client=None, own=True):
        """Return the link of the holder of `settings` (client and id are made on first use)."""
        return cls(
            client or (lambda: default_client(settings)), lambda: holder_person_id(settings), own
        )

    @property
    def client(self):
        """Return the inbox's control client (made on first use: it reads the control key)."""
        if callable(self._client):
            self._client = self._client()
        return self._client

    @property
    def person_id(self):
        """Return the holder's opaque inbox id."""
        if callable(self._person_id):
            self._person_id = self._person_id()
        return self._person_id

    def ensure_running(self, deployment):
        """Start an inbox in this process unless one answers; return '' or what went wrong.

        Only a link that may run its own inbox (`own`) starts one; others return ''.
        """
        if not self.own or self.server is not None or self.client.healthy():
            return ""
        settings = deployment.settings
        try:
            server = start_service(
                inbox_root(settings), control_key(settings), port=inbox_port(settings)
            )
        except (OSError, WalletError) as exc:
            LOG.warning("could not start the inbox: %s", exc)
            return DOWN
        server.inbox.register(self.person_id, holder_target(deployment))
        self.server = server
        LOG.info("inbox started in the wallet process on %s", server.url)
        return ""

    def state(self):
        """Return the `InboxState` (never raises for an inbox that is down)."""
        try:
            return InboxState(True, self.client.pending_count(self.person_id))
        except AgentError as exc:
            LOG.info("inbox not reachable: %s", exc)
            return InboxState(False)

    def hold(self):
        """Hold delivery before the agent stops; return '' or what went wrong."""
        try:
            self.client.hold(self.person_id)
        except AgentError as exc:
            LOG.warning("could not hold the inbox on lock: %s", exc)
            return DOWN
        return ""

    def release(self, agent, deliver_to):
        """Deliver what waited, then drop replayed copies; return '' or what went wrong.

        The person's id is registered first: after a restore the inbox may not know it.
        """
        try:
            self.client.register(self.person_id, deliver_to)
            report = self.client.deliver_now(self.person_id)
        except AgentError as exc:
            LOG.warning("could not release the inbox on unlock: %s", exc)
            return DOWN
        problem = ""
        remaining = int(report.get("remaining", 0) or 0)
        if remaining:
            problem = (
                f"{remaining} message(s) from firms could not be delivered yet; "
                "the inbox keeps them and retries."
            )
        try:
            replay.remove_duplicates(agent)
        except AgentError as exc:
            LOG.warning("could not check for replayed credentials: %s", exc)
            problem = problem or "Could not check the wallet for replayed credential copies."
        return problem

    def renewed(self, deliver_to):
        """Return the link after a restore: the restored id, the same client and inbox.

        An inbox this wallet runs moves to the new link and serves the restored id.
        """
        link = InboxLink(self._client, self._read_id, self.own)
        if self.server is not None:
            link.server, self.server = self.server, None
            link.server.inbox.register(link.person_id, deliver_to)
        return link

    def close(self):
        """Stop an inbox this wallet started and close the client's connections."""
        if self.server is not None:
            self.server.stop()
            self.server = None
        if callable(self._client):
            return
        close = getattr(self._client, "close", None)
        if close is not None:
            close()
