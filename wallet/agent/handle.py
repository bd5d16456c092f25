"""An `Agent`: one role's admin client plus the way to wait for its events."""

from dataclasses import dataclass

from .admin import AdminClient
from .waiting import wait_for
from .webhooks import WebhookHub


@dataclass
class Agent:
    """What a flow needs of an agent: its role, its admin client, its webhook hub."""

    role: str
    admin: AdminClient
    hub: WebhookHub | None = None

    def wait(self, fetch, done, *, what, topics=None, match=None, from_event=None, timeout=30.0):
        """Wait until `done(fetch())`, woken by this agent's webhooks on `topics`.

        `match(payload)` keeps only the events about the awaited record;
        `from_event(payload)` reads the value from the event itself when it can
        (see `wait_for`), saving the agent a fetch.
        """
        return wait_for(
            fetch,
            done,
            what=f"{what} ({self.role})",
            timeout=timeout,
            hub=self.hub,
            role=self.role,
            topics=topics,
            match=match,
            from_event=from_event,
        )
