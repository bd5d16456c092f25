"""The bench's fill routes: copies of a finished exchange, or of a stored credential.

`POST /tessera-bench/pres-ex-copies {"pres_ex_id", "count"}` and
`POST /tessera-bench/credential-copies {"cred_id", "count"}`.
"""

import uuid

from acapy_agent.admin.decorators.auth import tenant_authentication
from acapy_agent.admin.request_context import AdminRequestContext
from acapy_agent.anoncreds.holder import CATEGORY_CREDENTIAL, AnonCredsHolder
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecord
from acapy_agent.storage.error import StorageNotFoundError
from aiohttp import web

from ...speedups.credential_changes import changed

FINISHED = ("presentation-sent", "done", "abandoned")
MOST = 20000


@tenant_authentication
async def copy_exchange(request: web.BaseRequest):
    """Save `count` copies of a finished exchange, each with its own id and thread."""
    context: AdminRequestContext = request["context"]
    params = await request.json()
    count = params.get("count")
    if not isinstance(count, int) or not 0 < count <= MOST:
        return web.json_response({"reason": f"count: 1 to {MOST}"}, status=400)
    async with context.profile.transaction() as txn:
        try:
            found = await V20PresExRecord.retrieve_by_id(txn, str(params.get("pres_ex_id")))
        except StorageNotFoundError:
            return web.json_response({"reason": "No such exchange."}, status=404)
        if found.state not in FINISHED:
            return web.json_response({"reason": "Copy a finished exchange only."}, status=400)
        for _ in range(count):
            value = {**found.value, "thread_id": str(uuid.uuid4())}
            copy = V20PresExRecord.from_storage(str(uuid.uuid4()), value)
            copy._new_with_id = True  # saved as a new record under this id
            await copy.save(txn, reason="bench copy", event=False)
        await txn.commit()
    return web.json_response({"copied": count})


@tenant_authentication
async def copy_credential(request: web.BaseRequest):
    """Store `count` copies of a stored credential (same value and tags), each under a new id.

    As AnonCreds' `store_credential` stores one, with its attribute MIME types record
    when it has one (ACA-Py's deletion removes both), without webhooks, counted as
    changes (`wallet.speedups`): the wallet's index finds the copies on its next read,
    as it finds any credential whose webhook never came.
    """
    context: AdminRequestContext = request["context"]
    params = await request.json()
    count = params.get("count")
    if not isinstance(count, int) or not 0 < count <= MOST:
        return web.json_response({"reason": f"count: 1 to {MOST}"}, status=400)
    async with context.profile.transaction() as txn:
        cred_id = str(params.get("cred_id"))
        found = await txn.handle.fetch(CATEGORY_CREDENTIAL, cred_id)
        if found is None:
            return web.json_response({"reason": "No such credential."}, status=404)
        mime_types = await txn.handle.fetch(AnonCredsHolder.RECORD_TYPE_MIME_TYPES, cred_id)
        for _ in range(count):
            copy = str(uuid.uuid4())
            await txn.handle.insert(CATEGORY_CREDENTIAL, copy, found.raw_value, found.tags)
            if mime_types is not None:
                await txn.handle.insert(
                    AnonCredsHolder.RECORD_TYPE_MIME_TYPES, copy, mime_types.raw_value
                )
        await txn.commit()
    changed(context.profile.name, count)
    return web.json_response({"copied": count})


async def register(app: web.Application):
    """Register the bench's fill routes."""
    app.add_routes(
        [
            web.post("/tessera-bench/pres-ex-copies", copy_exchange),
            web.post("/tessera-bench/credential-copies", copy_credential),
        ]
    )
