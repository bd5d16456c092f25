"""The controller's calls to the did:webvh plugin's admin routes (over `Agent.admin`)."""

import json

from ..errors import AgentError


def issuer_did(issuer) -> str:
    """Return the issuer agent's did:webvh DID, creating it (and its log) on first call."""
    return issuer.admin.post("/tessera/webvh/did", {})["did"]


def check(agent, object_id) -> dict:
    """Ask an agent whether it can trust an object now: {"ok": bool, "reason": ..., ...}."""
    try:
        return agent.admin.get("/tessera/registry/check", id=object_id)
    except AgentError as exc:
        if exc.status not in (400, 404, 422, 503):
            raise
        try:
            return json.loads(exc.body) | {"status": exc.status}
        except ValueError:
            return {"ok": False, "reason": exc.body, "status": exc.status}
