"""Ask an agent's registry whether objects can be trusted (or checked at all) right now."""

import json

from ..errors import AgentError
from .formats import first_readable

UNREACHABLE = 503


class Refusals(dict):
    """{object id: reason} of refused objects; `unreachable` holds those not checkable now."""

    def __init__(self, *args, **kwargs):
        """A dict, plus the set of ids whose issuer did not answer."""
        super().__init__(*args, **kwargs)
        self.unreachable = set()


def untrusted(agent, object_ids):
    """Return the ids the agent's registry refuses to use now, with reasons (`Refusals`)."""
    refused = Refusals()
    for object_id in sorted(set(object_ids)):
        try:
            agent.admin.get("/tessera/registry/check", id=object_id)
        except AgentError as exc:
            if exc.status == 404 and _json_reason(exc) is None:
                continue  # an agent without the check route: it cannot tell, so nothing is said
            if exc.status in (404, 422, UNREACHABLE):
                refused[object_id] = _reason(exc)
                if exc.status == UNREACHABLE:
                    refused.unreachable.add(object_id)
            elif exc.status != 400:
                raise
    return refused


def presented_ids(record):
    """Return the schema, credential definition and revocation registry ids a presentation
    names (the verifier's exchange record)."""
    pres = first_readable(record, "pres") or {}
    return {
        ident[key]
        for ident in pres.get("identifiers") or ()
        for key in ("schema_id", "cred_def_id", "rev_reg_id")
        if ident.get(key)
    }


def _json_reason(exc):
    try:
        return json.loads(exc.body)["reason"]
    except (ValueError, KeyError, TypeError):
        return None


def _reason(exc):
    found = _json_reason(exc)
    return exc.body if found is None else found
