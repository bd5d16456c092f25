"""DID Exchange completes for inviters whose response carries no parent thread id.

RFC 0023: the requester's `complete` message carries the exchange's thread id and, as
`pthid`, the id of the invitation. ACA-Py 1.7.0's `DIDXManager.accept_response` builds
the complete by copying the thread of the inviter's `response`
(`complete.assign_thread_from(response)`), and the complete's schema requires `pthid`.
A response legitimately carries only `thid` (Credo's does), so ACA-Py fails with
"DIDXComplete schema validation failed": its own connection becomes active, but the
inviter never hears `complete` and stays at `response-sent`.

`install()` wraps `accept_response`: a response without `pthid` first gets the
invitation's id, the `invitation_msg_id` of the requester's connection record (the same
`pthid` ACA-Py put on its own request), so the copied thread is complete.

Unnecessary once ACA-Py sets the complete's `pthid` from the connection record's
`invitation_msg_id` instead of copying the response's thread (upstream
`acapy_agent/protocols/didexchange/v1_0/manager.py`, `accept_response`).
"""

import functools

from acapy_agent.connections.models.conn_record import ConnRecord
from acapy_agent.core.profile import Profile
from acapy_agent.protocols.didexchange.v1_0.manager import DIDXManager
from acapy_agent.storage.error import StorageNotFoundError

# The roles ACA-Py itself tries, in its order, when it looks the request up.
_INVITER_ROLES = (ConnRecord.Role.RESPONDER.rfc23, ConnRecord.Role.RESPONDER.rfc160)


async def invitation_id(profile: Profile, request_id: str) -> str | None:
    """Return the invitation id of the connection whose request was `request_id`, if any."""
    async with profile.session() as session:
        for role in _INVITER_ROLES:
            try:
                record = await ConnRecord.retrieve_by_request_id(session, request_id, role)
            except StorageNotFoundError:
                continue
            return record.invitation_msg_id
    return None


async def adopt_invitation_id(profile: Profile, response) -> None:
    """Give a DID Exchange response without `pthid` the invitation's id as `pthid`."""
    thread = response._thread
    if thread is None or thread.pthid or not thread.thid:
        return
    found = await invitation_id(profile, thread.thid)
    if found:
        thread.pthid = found


def install() -> None:
    """Wrap `DIDXManager.accept_response` (a second install replaces, never stacks)."""
    current = DIDXManager.accept_response
    original = getattr(current, "__wrapped__", current)

    @functools.wraps(original)
    async def accept_response(self, response, receipt):
        await adopt_invitation_id(self.profile, response)
        return await original(self, response, receipt)

    DIDXManager.accept_response = accept_response
