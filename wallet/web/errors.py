"""Errors of the wallet web app (all `WalletError`s) and their HTTP status codes."""

from ..errors import (
    AgentError,
    AgentGaveUp,
    AgentStartError,
    FlowError,
    InputError,
    NotFound,
    UnsatisfiableRequest,
    WaitTimeout,
    WalletError,
)
from ..holder.errors import Changed, Locked, TooManyAttempts


class Unauthorized(WalletError):
    """The API call carries no valid bearer token."""

    def __init__(self):
        """Say where to get a token."""
        super().__init__(
            "Missing or revoked API token: create one on the wallet's Settings page and send "
            "it as 'Authorization: Bearer <token>'."
        )


def status_of(error):
    """Return the HTTP status for a `WalletError`."""
    table = (
        (Unauthorized, 401),
        (Locked, 423),
        (TooManyAttempts, 429),
        (NotFound, 404),
        (Changed, 409),
        (UnsatisfiableRequest, 409),
        (InputError, 400),
        (WaitTimeout, 504),
        (AgentStartError, 503),
        (AgentError, 502),
        (FlowError, 409),
    )
    for kind, status in table:
        if isinstance(error, kind):
            return status
    return 500


def agent_state(service):
    """Return the template flags of the agent's supervision (see `_reconnecting.html`).

    `agent_reconnecting`: the agent died and is being restarted; `agent_gave_up`: it kept
    dying and is no longer restarted (lock and unlock).
    """
    problem = service.session.agent_problem()
    return {
        "agent_reconnecting": problem is not None and not isinstance(problem, AgentGaveUp),
        "agent_gave_up": isinstance(problem, AgentGaveUp),
    }
