"""Admin routes the wallet's credential index reads through (AnonCreds wallets).

- `POST /tessera/credentials/read {"ids": [...]}`: the wallet pages its credentials
  and picks a request's candidates by its own index, then reads the few it shows or
  uses by id. ACA-Py 1.7 reads one per call (`GET /credential/{id}`), each in a storage
  session of its own: at 20 credentials that was most of the consent page's time.
  This reads up to `MOST` in one call, in up to `SESSIONS` storage sessions side by
  side, and answers `{"results": [info, or null when none is stored under that id,
  ...]}` in the order asked, each info built as `AnonCredsHolder.get_credential`
  builds it (`_make_cred_info` on the loaded credential). The infos built are kept
  until a credential is stored or deleted (`credential_cache`), so the ids read again
  for the next request are answered without Askar. Upstream, a multi-id credential
  read would make it unnecessary.
- `GET /tessera/credentials/changes`: `{"epoch", "changes"}`, see `credential_changes`.
"""

import asyncio
import functools
import json

from acapy_agent.admin.decorators.auth import tenant_authentication
from acapy_agent.anoncreds.holder import CATEGORY_CREDENTIAL, _make_cred_info
from acapy_agent.holder.routes import wallet_type_config
from aiohttp import web
from anoncreds import AnoncredsError, Credential

from . import credential_cache
from .credential_changes import changes

ANONCREDS_WALLETS = ("askar-anoncreds", "kanon-anoncreds")

MOST = 100  # ids per call: a page of the wallet is 20
SESSIONS = 4  # read side by side: each fetch waits on Askar's thread (20 ids: 9.7 ms -> 5.5)
PER_SESSION = 5  # fewer ids are read in one session
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


def _anoncreds_only(handler):
    """Answer 501 on wallets that are not AnonCreds wallets, else run `handler`."""

    @functools.wraps(handler)
    async def checked(request: web.BaseRequest):
        if request["context"].settings.get(wallet_type_config) not in ANONCREDS_WALLETS:
            return web.json_response({"reason": "AnonCreds wallets only."}, status=501)
        return await handler(request)

    return checked


@tenant_authentication
@_anoncreds_only
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
    profile = context.profile
    counted = credential_cache.count(profile.name)
    infos = credential_cache.cached(profile.name, ids)
    wanted = [i for i in dict.fromkeys(ids) if i not in infos]
    sessions = max(1, min(SESSIONS, len(wanted) // PER_SESSION))
    reads = (_fetched(profile, wanted[k::sessions]) for k in range(sessions))
    parts = await asyncio.gather(*reads) if wanted else []
    stored = [None] * len(wanted)
    for k, part in enumerate(parts):
        stored[k::sessions] = part
    fresh = {}
    for cred_id, found in zip(wanted, stored, strict=True):
        if found is None:
            continue
        try:
            fresh[cred_id] = _make_cred_info(cred_id, Credential.load(found.raw_value))
        except AnoncredsError:
            reason = f"The credential {cred_id} is stored but cannot be read."
            return web.json_response({"reason": reason}, status=500)
    credential_cache.keep(profile.name, counted, fresh)
    infos.update(fresh)
    return web.json_response({"results": [infos.get(i) for i in ids]})


async def _fetched(profile, ids):
    """Return each id's stored credential entry (None when none), read in one session."""
    async with profile.session() as session:
        return [await session.handle.fetch(CATEGORY_CREDENTIAL, cred_id) for cred_id in ids]


@tenant_authentication
@_anoncreds_only
async def credential_changes(request: web.BaseRequest):
    """Answer this agent's id and how many credential stores and deletions ended in it."""
    epoch, count = changes(request["context"].profile.name)
    return web.json_response({"epoch": epoch, "changes": count})


async def register(app: web.Application):
    """Register the routes with the agent's admin server."""
    app.add_routes(
        [
            web.post("/tessera/credentials/read", read_credentials),
            web.get("/tessera/credentials/changes", credential_changes, allow_head=False),
        ]
    )
