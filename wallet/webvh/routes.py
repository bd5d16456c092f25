"""Admin routes of the did:webvh registry.

- `POST /tessera/webvh/did`: this issuer's DID, created on first call (200 either way).
- `GET /tessera/webvh/did`: this issuer's DID, 404 before it exists.
- `GET /tessera/webvh/cred-defs?issuer=DID`: the credential definitions that issuer's
  published index names and that verify (`credential_definition_ids`), and those refused.
- `GET /tessera/registry/check?id=...`: can this object be trusted right now? 200 ok,
  422 tampered or refused, 404 not published, 503 the issuer's host cannot be reached,
  400 not a did:webvh id. ACA-Py turns a resolution failure met while presenting or
  verifying into a bare HTTP 500; the controller asks here why.
"""

from acapy_agent.anoncreds.registry import AnonCredsRegistry
from aiohttp import web

from ..errors import ConfigError, InputError, IntegrityError, NotFound
from .attested import CRED_DEF, REV_REG_DEF
from .errors import FetchRefused, Unreachable
from .ids import parse_resource_id
from .registry import WebvhRegistry


def _registry(request) -> WebvhRegistry:
    for resolver in request["context"].inject(AnonCredsRegistry).resolvers:
        if isinstance(resolver, WebvhRegistry):
            return resolver
    raise web.HTTPServiceUnavailable(reason="The did:webvh registry is not loaded")


async def _did(request, create):
    try:
        found = await _registry(request).identity(request["context"].profile, create=create)
    except ConfigError as err:
        return web.json_response({"error": str(err)}, status=409)
    except InputError as err:
        return web.json_response({"error": str(err)}, status=400)
    if found is None:
        return web.json_response({"error": "This issuer has no DID yet"}, status=404)
    return web.json_response({"did": found.did, "verification_method": found.method_id})


async def create_did(request):
    """Return this issuer's DID, creating it on first call."""
    return await _did(request, create=True)


async def get_did(request):
    """Return this issuer's DID."""
    return await _did(request, create=False)


async def check(request):
    """Fetch and verify one object (and a registry's index); say whether it can be trusted."""
    object_id = request.query.get("id", "")

    def answer(status, **extra):
        return web.json_response({"id": object_id, **extra}, status=status)

    registry = _registry(request)
    try:
        parse_resource_id(object_id)
        doc = await registry.resolver.resource(object_id)
        kind = doc["metadata"]["resourceType"]
        if kind == REV_REG_DEF:
            await registry.resolver.index(object_id, None)
    except (FetchRefused, IntegrityError) as err:
        return answer(422, ok=False, reason=str(err))
    except Unreachable as err:
        return answer(503, ok=False, reachable=False, host=err.host, reason=str(err))
    except NotFound as err:
        return answer(404, ok=False, reason=str(err))
    except InputError as err:
        return answer(400, ok=False, reason=str(err))
    return answer(200, ok=True, kind=kind)


async def cred_defs(request):
    """List the credential definitions an issuer's index names that verify, and those refused."""
    issuer = request.query.get("issuer", "")
    try:
        found, refused = await _registry(request).resolver.listed(
            issuer, "credentialDefinitions", CRED_DEF
        )
    except Unreachable as err:
        return web.json_response({"issuer": issuer, "error": str(err)}, status=503)
    except (FetchRefused, IntegrityError) as err:
        return web.json_response({"issuer": issuer, "error": str(err)}, status=422)
    except NotFound:
        found, refused = [], {}
    except InputError as err:
        return web.json_response({"issuer": issuer, "error": str(err)}, status=400)
    return web.json_response(
        {"issuer": issuer, "credential_definition_ids": found, "refused": refused}
    )


async def register(app: web.Application):
    """Register the routes with the agent's admin server."""
    app.add_routes(
        [
            web.post("/tessera/webvh/did", create_did),
            web.get("/tessera/webvh/did", get_did, allow_head=False),
            web.get("/tessera/registry/check", check, allow_head=False),
            web.get("/tessera/webvh/cred-defs", cred_defs, allow_head=False),
        ]
    )
