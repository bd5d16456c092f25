"""Connecting a Credo agent and an ACA-Py agent by out-of-band invitation, either way."""

from wallet.flows import connect
from wallet.invitations import parse_invitation_url


def credo_invites(credo, agent, timeout=30.0):
    """Credo invites, the ACA-Py `agent` accepts; return (Credo's, agent's) connection ids.

    Returns once both sides have completed the DID Exchange.
    """
    created = credo.call("create_invitation")
    invitation = parse_invitation_url(created["url"]).raw
    theirs = connect.receive_invitation(agent, invitation)
    connect.wait_active(agent, theirs, timeout=timeout)
    ours = credo.call("wait_connection", oob_id=created["oob_id"], timeout=timeout)
    return ours["connection_id"], theirs


def agent_invites(agent, credo, timeout=30.0):
    """The ACA-Py `agent` invites, Credo accepts; return (Credo's, agent's) connection ids."""
    created = connect.create_invitation(agent)
    received = credo.call("receive_invitation", url=created["invitation_url"])
    ours = credo.call("wait_connection", oob_id=received["oob_id"], timeout=timeout)
    theirs = connect.inviter_connection(agent, created["invitation"]["@id"], timeout=timeout)
    connect.wait_active(agent, theirs, timeout=timeout)
    return ours["connection_id"], theirs
