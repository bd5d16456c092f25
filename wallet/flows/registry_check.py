"""Ask an agent's Tessera registry whether stored objects can be trusted."""

import json

from ..errors import AgentError


def untrusted(agent, object_ids):
    """Return {object id: reason} for the ids the agent's registry refuses to use."""
    refused = {}
    for object_id in sorted(set(object_ids)):
        try:
            agent.admin.get("/tessera/registry/check", id=object_id)
        except AgentError as exc:
            if exc.status in (404, 422):
                refused[object_id] = _reason(exc)
            elif exc.status != 400:
                raise
    return refused


def _reason(exc):
    try:
        return json.loads(exc.body)["reason"]
    except (ValueError, KeyError, TypeError):
        return exc.body
