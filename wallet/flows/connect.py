"""Connect two agents with an out-of-band invitation and DID exchange."""

from ..agent.webhooks import PayloadIs
from ..errors import FlowError
from .records import Connection

DIDEXCHANGE = "https://didcomm.org/didexchange/1.1"
TOPICS = ("connections", "out_of_band")


def create_invitation(inviter, alias=None):
    """Create a reusable-once OOB invitation; return the agent's answer (invitation, URL)."""
    body = {"handshake_protocols": [DIDEXCHANGE]}
    if alias:
        body["alias"] = alias
    return inviter.admin.post("/out-of-band/create-invitation", body, auto_accept="true")


def receive_invitation(invitee, invitation, alias=None):
    """Accept an invitation (the JSON object); return the new connection id."""
    params = {"auto_accept": "true"}
    if alias:
        params["alias"] = alias
    record = invitee.admin.post("/out-of-band/receive-invitation", invitation, **params)
    connection_id = record.get("connection_id")
    if not connection_id:
        raise FlowError(f"The agent accepted the invitation but made no connection: {record}")
    return connection_id


def _active(record):
    if record.state in ("abandoned", "error"):
        raise FlowError(f"Connection {record.connection_id} ended as {record.state}.")
    return record.active


def connection(agent, connection_id):
    """Return one connection (`Connection`) by id."""
    return Connection.from_agent(agent.admin.get(f"/connections/{connection_id}"))


def connections(agent, limit=1000):
    """Return the agent's connections (`Connection`s), up to `limit`."""
    found = agent.admin.get("/connections", limit=limit)["results"]
    return [Connection.from_agent(c) for c in found]


def wait_active(agent, connection_id, timeout=30.0):
    """Wait until the connection is active and return its record (`Connection`)."""
    return agent.wait(
        lambda: connection(agent, connection_id),
        _active,
        what=f"connection {connection_id} to become active",
        topics=TOPICS,
        match=PayloadIs("connection_id", connection_id),
        timeout=timeout,
    )


def inviter_connection(inviter, invitation_msg_id, timeout=30.0):
    """Return the inviter's connection id for an invitation it issued, once it exists."""
    found = inviter.wait(
        lambda: inviter.admin.get("/connections", invitation_msg_id=invitation_msg_id)["results"],
        bool,
        what=f"a connection from invitation {invitation_msg_id}",
        topics=TOPICS,
        match=PayloadIs("invitation_msg_id", invitation_msg_id),
        timeout=timeout,
    )
    return found[0]["connection_id"]


def connect(inviter, invitee, alias=None, timeout=30.0):
    """Connect `invitee` to `inviter`; return (inviter's, invitee's) connection ids."""
    created = create_invitation(inviter, alias=alias)
    invitation = created["invitation"]
    theirs = receive_invitation(invitee, invitation)
    ours = inviter_connection(inviter, invitation["@id"], timeout=timeout)
    wait_active(invitee, theirs, timeout=timeout)
    wait_active(inviter, ours, timeout=timeout)
    return ours, theirs
