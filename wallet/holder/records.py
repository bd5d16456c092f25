"""Typed views of the holder agent's records: connections, offers, credentials, requests."""

import threading
from dataclasses import dataclass, field
from urllib.parse import quote

from ..errors import AgentError, NotFound
from ..flows import connect, issue, present
from ..flows import held as stored
from ..flows.records import labels


def schema_for(attr_names, schemas):
    """Return the local `CredentialSchema` with exactly these attribute names, or None."""
    wanted = set(attr_names)
    for schema in schemas.values():
        if set(schema.attr_names) == wanted:
            return schema
    return None


def label_of(name, schema):
    """Return an attribute's display label (its name when the schema is unknown)."""
    if schema is not None:
        try:
            return schema.attribute(name).label
        except KeyError:
            pass
    return name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Field:
    """One attribute shown to the person: name, display label, value."""

    name: str
    label: str
    value: str


def fields(values, schema):
    """Return `Field`s for raw values, in schema order when the schema is known."""
    order = schema.attr_names if schema else sorted(values)
    names = [n for n in order if n in values] + sorted(set(values) - set(order))
    return [Field(n, label_of(n, schema), str(values[n])) for n in names]


def connection_labels(agent):
    """Return {connection id: the other party's label}."""
    return labels(connect.connections(agent))


def connections(agent):
    """Return the holder's connections as plain dicts for pages and the API."""
    return [
        {
            "connection_id": c.connection_id,
            "label": c.their_label or "(no name)",
            "state": c.state or None,
            "created_at": c.created_at or None,
        }
        for c in connect.connections(agent)
    ]


@dataclass(frozen=True)
class Offer:
    """A credential offer waiting for the person's answer."""

    cred_ex_id: str
    issuer: str
    schema_label: str
    fields: list
    comment: str
    created_at: str

    def to_json(self):
        """Return the offer for the API."""
        return {
            "cred_ex_id": self.cred_ex_id,
            "issuer": self.issuer,
            "type": self.schema_label,
            "attributes": [vars(f) for f in self.fields],
            "comment": self.comment,
            "created_at": self.created_at,
        }


def _offer(record, firms, schemas):
    values = record.values
    schema = schema_for(values, schemas)
    return Offer(
        cred_ex_id=record.cred_ex_id,
        issuer=firms.get(record.connection_id, "(unknown firm)"),
        schema_label=schema.label if schema else "Credential",
        fields=fields(values, schema),
        comment=record.comment,
        created_at=record.created_at,
    )


def offers(agent, schemas, waiting):
    """Return the pending `Offer`s, newest first (`waiting`: a `holder.waiting.Waiting`)."""
    firms = connection_labels(agent)
    found = [_offer(record, firms, schemas) for record in waiting.offers(agent)]
    return sorted(found, key=lambda o: o.created_at, reverse=True)


def offer(agent, schemas, cred_ex_id):
    """Return one pending `Offer` or raise `NotFound` (read by id, as `request_record`)."""
    gone = NotFound(f"No pending credential offer {cred_ex_id}; it may have been answered.")
    record = _pending(issue.record, agent, cred_ex_id, ("offer-received", "holder"), gone)
    return _offer(record, connection_labels(agent), schemas)


@dataclass(frozen=True)
class Credential:
    """A stored credential with its issuer, type, date and labelled attributes."""

    cred_id: str
    issuer: str
    schema_label: str
    issued_at: str
    fields: list = field(default_factory=list)
    rev_reg_id: str | None = None

    def to_json(self):
        """Return the credential for the API."""
        return {
            "cred_id": self.cred_id,
            "issuer": self.issuer,
            "type": self.schema_label,
            "issued_at": self.issued_at,
            "attributes": [vars(f) for f in self.fields],
        }


class IssuanceIndex:
    """Who issued each stored credential, and when, read from finished issue exchanges.

    Those exchange records are large (each carries the whole offer, request and
    credential) and never change once done, so they are listed again only when a
    credential appears that the last listing did not account for.
    """

    UNKNOWN = ("(unknown issuer)", "")

    def __init__(self):
        """Start empty; one index per unlocked agent."""
        self._found = {}
        self._accounted = set()
        self._lock = threading.Lock()

    def lookup(self, agent, cred_ids, firms=None):
        """Return {cred id: (issuer label, date)} for `cred_ids`.

        `firms` is {connection id: label} when already read (`connection_labels`).
        """
        with self._lock:
            if not set(cred_ids) <= self._accounted:
                self._refresh(agent, firms)
                self._accounted |= set(cred_ids)
            return {c: self._found.get(c, self.UNKNOWN) for c in cred_ids}

    def _refresh(self, agent, firms=None):
        firms = connection_labels(agent) if firms is None else firms
        for record in issue.records(agent, role="holder", state="done"):
            cred_id = record.cred_id_stored
            if cred_id:
                issuer = firms.get(record.connection_id, "(unknown firm)")
                self._found[cred_id] = (issuer, record.updated_at)
            self._accounted.add(cred_id)


def _credential(cred, issued, schemas):
    values = cred.get("attrs") or {}
    schema = schema_for(values, schemas)
    issuer, date = issued.get(cred["referent"], IssuanceIndex.UNKNOWN)
    return Credential(
        cred["referent"],
        issuer,
        schema.label if schema else "Credential",
        date,
        fields(values, schema),
        cred.get("rev_reg_id"),
    )


def credentials(agent, schemas, index):
    """Return every stored `Credential`, newest first."""
    held = stored.credentials(agent)
    issued = index.lookup(agent, [c["referent"] for c in held])
    result = [_credential(cred, issued, schemas) for cred in held]
    return sorted(result, key=lambda c: c.issued_at, reverse=True)


def credentials_page(agent, schemas, held, offset=0, limit=20):
    """Return (`Credential`s newest first from `offset`, total) read by id through `held`.

    `held` is the wallet's `HeldCredentials`: only the page's credentials are read.
    """
    infos, total = held.page(agent, offset, limit)
    issued = held.lookup(agent, [info["referent"] for info in infos]) if infos else {}
    return [_credential(info, issued, schemas) for info in infos], total


def credential(agent, schemas, index, cred_id):
    """Return one stored `Credential` or raise `NotFound`."""
    try:
        cred = stored.credential(agent, cred_id)
    except AgentError as exc:
        if exc.status == 404:
            raise NotFound(
                f"No credential {cred_id} in the wallet; it may have been deleted."
            ) from exc
        raise
    return _credential(cred, index.lookup(agent, [cred_id]), schemas)


def pending_requests(agent, waiting):
    """Return the proof request records waiting for the person's answer, newest first.

    `waiting` (a `holder.waiting.Waiting`) knows which ones wait, so only those are read.
    """
    found = waiting.requests(agent)
    return sorted(found, key=lambda r: r.created_at, reverse=True)


def request_record(agent, pres_ex_id):
    """Return one pending request record or raise `NotFound`.

    Read by id: listing pending requests makes ACA-Py load every exchange record the
    wallet keeps (state is not an indexed tag), each with its whole presentation.
    """
    gone = NotFound(f"No pending proof request {pres_ex_id}; it may have been answered.")
    return _pending(present.record, agent, pres_ex_id, ("request-received", "prover"), gone)


def _pending(read, agent, exchange_id, waiting, gone):
    """Return the record `read` by id if it is (state, role) `waiting`, else raise `gone`."""
    try:
        record = read(agent, quote(exchange_id, safe=""))
    except AgentError as exc:
        if exc.status in (400, 404, 422):
            raise gone from exc
        raise
    if (record.state, record.role) != waiting:
        raise gone
    return record


FINISHED = ("presentation-sent", "done", "abandoned")


def finished_request(agent, pres_ex_id):
    """Return the person's request record once it is no longer waiting (answered, declined
    or withdrawn by the firm), or None when there is no such record."""
    try:
        record = present.record(agent, quote(pres_ex_id, safe=""))
    except AgentError as exc:
        if exc.status in (400, 404, 422):
            return None
        raise
    if record.role != "prover" or record.state not in FINISHED or record.request is None:
        return None
    return record
