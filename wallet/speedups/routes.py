"""Admin route `POST /tessera/credentials/read {"ids": [...]}`: credentials by id, one call.

The wallet pages its credentials and picks a request's candidates by its own index,
then reads the few it shows or uses by id. ACA-Py 1.7 reads one per call
(`GET /credential/{id}`): each costs an HTTP round trip and a storage session, which at
20 credentials was most of the consent page's time. This reads up to `MOST` in one call,
each exactly as `GET /credential/{id}` does (`AnonCredsHolder.get_credential`), and
answers `{"results": [info, or null when none is stored under that id, ...]}` in the
order asked. Upstream, a multi-id credential read (or `GET /credentials` filtering on
record ids) would make it unnecessary.
"""

import json

from acapy_agent.admin.decorators.auth import tenant_authentication
from acapy_agent.anoncreds.holder import AnonCredsHolder
from acapy_agent.holder.routes import wallet_type_config
from acapy_agent.indy.holder import IndyHolder
from acapy_agent.wallet.error import WalletNotFoundError
from aiohttp import web

MOST = 100  # ids per call: a page of the wallet is 20
ID_LENGTH = 200  # ACA-Py's credential ids are UUIDs


def _bad(reason):
    return web.json_response({"reason": reason}, status=400)


def _ids(params):
    """Return the ids asked for, or None when the body is not a list of 1 to `MOST` ids."""
    ids = params.get("ids") if isinstance(params, dict) else None
    if not isinstance(ids, list) or not 0 < len(ids) <= MOST:
        return None
    if not all(isinstance(i, str) and 0 < len(i) <= ID_LENGTH for i in ids):
        return None
    return ids


@tenant_authentication
async def read_credentials(request: web.BaseRequest):
    """Answer each id's credential info (as `GET /credential/{id}`), or null when none."""
    context = request["context"]
    try:
        params = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad("The body must be JSON.")
    ids = _ids(params)
    if ids is None:
        return _bad(f"ids: a list of 1 to {MOST} credential ids")
    if context.settings.get(wallet_type_config) in ("askar-anoncreds", "kanon-anoncreds"):
        holder = AnonCredsHolder(context.profile)
    else:
        holder = context.profile.inject(IndyHolder)
    results = []
    for cred_id in ids:
        try:
            results.append(json.loads(await holder.get_credential(cred_id)))
        except WalletNotFoundError:
            results.append(None)
    return web.json_response({"results": results})


async def register(app: web.Application):
    """Register the route with the agent's admin server."""
    app.add_routes([web.post("/tessera/credentials/read", read_credentials)])
