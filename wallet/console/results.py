"""What a verifier got from a proof: verified or not, values revealed, predicates, the rest.

Built only from the verifier's own exchange record; what was not received is listed
by attribute name from the credential schemas, never with a value.
"""

from dataclasses import dataclass

from ..errors import InputError, UnreadableFormat
from ..flows.present import Verification, anoncreds_request, request_name
from ..flows.records import PresExchange
from ..schemas import dateint_to_date

PENDING = {
    "request-sent": "Waiting for the person's answer",
    "presentation-received": "Answer received, verifying",
    "abandoned": "Declined or failed",
    "proposal-received": "The person proposes a smaller request: accept or decline it",
}


@dataclass(frozen=True)
class Item:
    """One line of the result: schema label, attribute label and name, shown text."""

    schema: str
    label: str
    name: str
    text: str = ""


@dataclass(frozen=True)
class ResultView:
    """A presentation exchange as the verifier console shows it."""

    pres_ex_id: str
    title: str
    state: str
    status: str
    verified: bool | None
    revealed: tuple
    predicates: tuple
    not_received: tuple
    error: str = ""
    revoked: bool = False
    proposal: bool = False
    asked: tuple = ()

    @property
    def finished(self):
        """Return True once the exchange will not change any more."""
        return self.state in ("done", "abandoned")


def _label(schemas, schema_name, attr_name):
    schema = schemas.get(schema_name)
    if schema is None or attr_name not in schema.attr_names:
        return schema_name, attr_name
    return schema.label, schema.attribute(attr_name).label


def _schema_name(restrictions, schema_by_cred_def):
    for restriction in restrictions or ():
        name = schema_by_cred_def.get(restriction.get("cred_def_id"))
        if name:
            return name
    return ""


def _shown(schemas, schema_name, attr_name, value):
    schema = schemas.get(schema_name)
    if schema and attr_name in schema.attr_names and schema.attribute(attr_name).type == "dateint":
        try:
            return dateint_to_date(value).isoformat()
        except InputError:
            return str(value)
    return str(value)


def _threshold(schemas, schema_name, pred):
    # A threshold that is no date (a probing request's 2147483648, say) is shown as the
    # number asked: the page lists every exchange and never fails on one of them.
    schema = schemas.get(schema_name)
    name, value = pred["name"], pred["p_value"]
    if schema and name in schema.attr_names and schema.attribute(name).type == "dateint":
        word = {"<=": "on or before", "<": "before", ">=": "on or after", ">": "after"}
        try:
            when = dateint_to_date(value).isoformat()
        except InputError:
            when = None
        if when is not None:
            return f"{word.get(pred['p_type'], pred['p_type'])} {when}"
    return f"{pred['p_type']} {value}"


def describe(record, schemas, schema_by_cred_def):
    """Return the `ResultView` of a verifier-side exchange record.

    `schema_by_cred_def` maps the cred def ids used in restrictions to schema names.
    """
    record = PresExchange.from_agent(record)
    state = record.state
    try:
        request = asked_of(record)
    except UnreadableFormat as exc:
        carried = ", ".join(exc.formats) or "no format at all"
        return ResultView(
            record.pres_ex_id,
            "Proof request in a format this console does not read",
            state,
            PENDING.get(state, state),
            None,
            (),
            (),
            (),
            f"Asked in {carried}; this console reads AnonCreds (anoncreds or indy) only.",
        )
    referent_schema = {
        ref: _schema_name(item.get("restrictions"), schema_by_cred_def)
        for kind in ("requested_attributes", "requested_predicates")
        for ref, item in request.get(kind, {}).items()
    }
    asked = {s for s in referent_schema.values() if s}
    verified, revealed, proven, revoked, reason = None, (), (), False, ""
    if state == "done" and record.verified is not None:
        result = Verification.from_record(record)
        verified, revoked, reason = result.verified, result.revoked, result.reason
        name_schema = {}
        for ref, item in request.get("requested_attributes", {}).items():
            for name in item.get("names") or [item.get("name")]:
                name_schema[name] = referent_schema[ref]
        revealed = tuple(
            Item(
                *_label(schemas, name_schema.get(n, ""), n),
                n,
                _shown(schemas, name_schema.get(n, ""), n, v),
            )
            for n, v in result.revealed.items()
        )
        pres = record.presentation or {}
        refs = (pres.get("requested_proof") or {}).get("predicates") or {}
        preds = request.get("requested_predicates", {})
        proven = tuple(
            Item(
                *_label(schemas, referent_schema[ref], preds[ref]["name"]),
                preds[ref]["name"],
                _threshold(schemas, referent_schema[ref], preds[ref]),
            )
            for ref in refs
            if ref in preds
        )
    got = {i.name for i in revealed}
    not_received = tuple(
        Item(*_label(schemas, s, a), a)
        for s in sorted(asked)
        if s in schemas
        for a in schemas[s].attr_names
        if a not in got
    )
    status = PENDING.get(state, state)
    if verified is not None:
        status = "Verified" if verified else "REVOKED" if revoked else "NOT verified"
    return ResultView(
        record.pres_ex_id,
        request_name(record, "Proof request"),
        state,
        status,
        verified,
        revealed,
        proven,
        not_received,
        record.error_msg or reason,
        revoked,
        state == "proposal-received",
        _asked(request, schemas, referent_schema),
    )


def _asked(request, schemas, referent_schema):
    """Return the items a request (or proposal) asks: revealed values and predicates."""
    items = []
    for ref, item in request.get("requested_attributes", {}).items():
        for name in item.get("names") or [item.get("name")]:
            items.append(Item(*_label(schemas, referent_schema[ref], name), name, "revealed"))
    for ref, pred in request.get("requested_predicates", {}).items():
        text = f"proven {_threshold(schemas, referent_schema[ref], pred)} (value not received)"
        items.append(Item(*_label(schemas, referent_schema[ref], pred["name"]), pred["name"], text))
    return tuple(items)


def asked_of(record):
    """Return the AnonCreds request of an exchange, or the proposal when none was sent yet."""
    record = PresExchange.from_agent(record)
    if not record.request and record.proposal is not None:
        return record.proposal
    return anoncreds_request(record)
