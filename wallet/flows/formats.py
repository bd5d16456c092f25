"""The present-proof 2.0 formats the wallet reads: `anoncreds` and the older `indy`.

Both attachments carry the same AnonCreds proof request and presentation; verifiers
such as Credo ask in `indy` by default. The wallet reads a request from whichever of
the two it carries (`anoncreds` first) and answers in the format asked.
"""

from ..errors import UnreadableFormat

READABLE = ("anoncreds", "indy")


def _part(record, part):
    """Return {format: content} of one part (`pres_request`, `pres`, ...) of a record."""
    return ((record.get("by_format") or {}).get(part)) or {}


def request_format(record):
    """Return the format a request record asks in; UnreadableFormat if none the wallet reads."""
    carried = _part(record, "pres_request")
    for name in READABLE:
        if carried.get(name) is not None:
            return name
    raise UnreadableFormat(record.get("pres_ex_id"), sorted(carried))


def proof_request(record):
    """Return the AnonCreds proof request of a record, from either readable format."""
    return _part(record, "pres_request")[request_format(record)]


def answer(record, spec):
    """Return the send-presentation body answering `record` with `spec` in the format asked."""
    return {request_format(record): spec}


def first_readable(record, part):
    """Return the content of `part` (`pres`, `pres_proposal`) in a readable format, or None."""
    carried = _part(record, part)
    return next((carried[name] for name in READABLE if carried.get(name) is not None), None)
