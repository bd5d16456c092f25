"""The person's smaller answers (counter-proposals) and what each firm did with them.

A proposal is an exchange of its own (ACA-Py gives it its own thread). The firm either
sends the request proposed, and the same exchange becomes a request waiting for the
person (listed with the others), or declines it with a problem report, whose words
ACA-Py keeps in the record's error as "<code>: <the firm's words>". A proposal the
wallet itself withdrew says "created problem report: ..." and is not the firm's doing.
"""

import datetime
from dataclasses import dataclass

from ..flows import present

OWN_REPORT = present.OWN_REPORT
SHOWN_FOR = datetime.timedelta(days=30)
SHOWN_AT_MOST = 10


@dataclass(frozen=True)
class Proposal:
    """One smaller answer the person proposed: to whom, what, and where it stands."""

    pres_ex_id: str
    who: str
    name: str
    status: str  # "waiting" (for the firm) or "declined" (by the firm)
    reason: str
    updated_at: str

    def to_json(self):
        """Return the API form."""
        return {
            "pres_ex_id": self.pres_ex_id,
            "to": self.who,
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "updated_at": self.updated_at,
        }


def _when(text):
    try:
        when = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)


def firm_words(error_msg):
    """Return the firm's words from a received problem report's error, "" if none."""
    code, sep, words = (error_msg or "").partition(": ")
    return (words if sep else code).strip()


def of(record, labels):
    """Return the `Proposal` of a prover's record, or None when it is not one to show."""
    if record.proposal is None or record.request is not None:
        return None
    if record.state == "proposal-sent":
        status, reason = "waiting", ""
    elif record.state == "abandoned" and not (record.error_msg or "").startswith(OWN_REPORT):
        status, reason = "declined", firm_words(record.error_msg)
    else:
        return None
    name = record.proposal.get("name") or "Smaller answer"
    who = labels.get(record.connection_id, "(unknown firm)")
    return Proposal(record.pres_ex_id, who, name, status, reason, record.updated_at)


def recent(agent, labels, now, waiting):
    """Return the person's proposals of the last `SHOWN_FOR` at `now`, newest first.

    `waiting` (`holder.waiting.Waiting`) knows which exchanges are proposals.
    """
    found = []
    for record in waiting.proposals(agent):
        proposal = of(record, labels)
        when = _when(record.updated_at)
        if proposal is not None and (when is None or now - when <= SHOWN_FOR):
            found.append(proposal)
    found.sort(key=lambda p: p.updated_at, reverse=True)
    return found[:SHOWN_AT_MOST]
