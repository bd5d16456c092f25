"""Requests set aside: malformed, hostile or in a format the wallet cannot read.

Each is one clearly declinable item: it is listed with what is wrong, never breaks
the list of the other requests, and declining it reaches the firm and is logged.
"""

from dataclasses import dataclass

from ..consent import request_checks
from ..consent.reasons import decline_reason
from ..errors import UnreadableFormat
from ..flows import present
from . import records

PERSON = "person"


@dataclass(frozen=True)
class SetAside:
    """A pending request that can only be declined, and why."""

    pres_ex_id: str
    who: str
    name: str
    created_at: str
    problems: tuple

    def to_json(self):
        """Return it for the API."""
        return {
            "pres_ex_id": self.pres_ex_id,
            "from": self.who,
            "name": self.name,
            "set_aside": True,
            "answerable": False,
            "problems": list(self.problems),
        }


def problems(record, schemas):
    """Return (request name, [what is wrong]) of a request record; no problems: []."""
    try:
        request = present.anoncreds_request(record)
    except UnreadableFormat as exc:
        return "", [f"the wallet cannot read it: {exc}"]
    name = request.get("name") if isinstance(request, dict) else ""
    found = request_checks.check(request, schemas).problems
    return (name if isinstance(name, str) else "")[:200], found


def of(record, schemas, labels):
    """Return the `SetAside` view of a record, or None when the request is readable."""
    name, found = problems(record, schemas)
    if not found:
        return None
    who = labels.get(record.connection_id, "(unknown firm)")
    return SetAside(record.pres_ex_id, who, name, record.created_at, tuple(found))


def find(agent, schemas, pres_ex_id):
    """Return the pending request's `SetAside`, or None when it is a normal request."""
    record = records.request_record(agent, pres_ex_id)
    return of(record, schemas, records.connection_labels(agent))


def decline(service, item, reason="", code=""):
    """Decline a set-aside request with a problem report and log it; return the reason."""
    agent = service.require()
    reason = decline_reason(code, reason)
    present.decline(agent, item.pres_ex_id, reason)
    service.history.append("declined", item.who, request_name=item.name, reason=reason, rule=PERSON)
    return reason
