"""Connectionless proof requests: a request attached to an out-of-band invitation."""

from dataclasses import dataclass

from ..errors import FlowError
from .present import request_body, wait_request


@dataclass(frozen=True)
class OobRequest:
    """A proof request waiting in an invitation: its exchange, thread and URL."""

    pres_ex_id: str
    thread_id: str
    invitation: dict
    url: str


def create_oob_request(verifier, proof_request, comment=None):
    """Create a request with no connection and wrap it in an OOB invitation."""
    body = request_body(proof_request, comment)
    record = verifier.admin.post("/present-proof-2.0/create-request", body)
    pres_ex_id = record["pres_ex_id"]
    created = verifier.admin.post(
        "/out-of-band/create-invitation",
        {"attachments": [{"id": pres_ex_id, "type": "present-proof"}], "use_public_did": False},
    )
    if not created.get("invitation_url"):
        raise FlowError(f"The agent made no invitation for exchange {pres_ex_id}: {created}")
    return OobRequest(
        pres_ex_id, record["thread_id"], created["invitation"], created["invitation_url"]
    )


def receive_oob_request(holder, invitation, timeout=30.0):
    """Let the holder take a connectionless request from an invitation; return its record."""
    thread_ids = [
        attach.get("data", {}).get("json", {}).get("@id")
        for attach in invitation.get("requests~attach") or []
    ]
    if not thread_ids or not thread_ids[0]:
        raise FlowError("The invitation carries no proof request; ask the firm for a new one.")
    holder.admin.post("/out-of-band/receive-invitation", invitation, auto_accept="true")
    return wait_request(holder, thread_ids[0], timeout=timeout)
