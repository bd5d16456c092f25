"""Admin route `GET /tessera/registry/check?id=...`: can this object be trusted?

ACA-Py turns a registry integrity failure met while presenting or verifying into a
bare HTTP 500. The controller asks here why, and tells the person in plain words.
"""

from acapy_agent.anoncreds.registry import AnonCredsRegistry
from aiohttp import web

from ..errors import InputError, IntegrityError, NotFound
from .ids import parse_object_id
from .plugin import TesseraRegistry


def _tessera(context):
    registry = context.inject(AnonCredsRegistry)
    for resolver in registry.resolvers:
        if isinstance(resolver, TesseraRegistry):
            return resolver
    raise web.HTTPServiceUnavailable(reason="The Tessera registry is not loaded")


async def check(request: web.BaseRequest):
    """Verify one stored object's digest and signature; 200 ok, 422 tampered, 404 missing."""
    object_id = request.query.get("id", "")
    try:
        parsed = parse_object_id(object_id)
        await _tessera(request["context"]).fetch_verified(object_id, parsed.kind)
    except InputError as err:
        return web.json_response({"id": object_id, "ok": False, "reason": str(err)}, status=400)
    except NotFound as err:
        return web.json_response({"id": object_id, "ok": False, "reason": str(err)}, status=404)
    except IntegrityError as err:
        return web.json_response({"id": object_id, "ok": False, "reason": str(err)}, status=422)
    return web.json_response({"id": object_id, "kind": parsed.kind, "ok": True})


async def register(app: web.Application):
    """Register the route with the agent's admin server."""
    app.add_routes([web.get("/tessera/registry/check", check, allow_head=False)])
