"""Typed records at the agent boundary: presentation and credential exchanges, connections.

Each is a frozen dataclass of the fields Tessera reads, built from the agent's JSON
with `from_agent`; every other field is kept in `extra`, so nothing the agent sent
is lost (`to_agent` gives the JSON back). Items can also be read by key
(`record["pres_ex_id"]`, `record.get("state")`) like the JSON they came from, for
callers outside Tessera's rooms that still read dicts.
"""

from dataclasses import dataclass, field, fields

from .formats import READABLE


class _Record:
    """Shared reading of agent JSON: known fields by name, the rest in `extra`."""

    @classmethod
    def from_agent(cls, data):
        """Build from the agent's JSON (a record passes through unchanged)."""
        if isinstance(data, cls):
            return data
        known = {f.name for f in fields(cls)} - {"extra"}
        given = {k: v for k, v in data.items() if k in known and v is not None}
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(**given, extra=extra)

    def to_agent(self):
        """Return the record as the agent's JSON (`extra` and the fields it had)."""
        body = dict(self.extra)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "extra" and value not in (None, "", {}):
                body[f.name] = value
        return body

    def __getitem__(self, key):
        """Read a field of the agent's JSON by key (a known field or one in `extra`)."""
        if key != "extra" and key in {f.name for f in fields(self)}:
            value = getattr(self, key)
            if value is None:
                raise KeyError(key)
            return value
        return self.extra[key]

    def get(self, key, default=None):
        """Read a field of the agent's JSON by key, or `default`."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key):
        """Return True when the agent's JSON had `key`."""
        return self.get(key) is not None


@dataclass(frozen=True, kw_only=True)
class _Exchange(_Record):
    """What every exchange record says: its thread, connection, state, role and times."""

    thread_id: str | None = None
    connection_id: str | None = None
    state: str = ""
    role: str = ""
    created_at: str = ""
    updated_at: str = ""
    error_msg: str | None = None
    by_format: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class PresExchange(_Exchange):
    """A present-proof 2.0 exchange record (prover's or verifier's)."""

    pres_ex_id: str
    verified: str | None = None
    verified_msgs: list | None = None

    def _part(self, name):
        carried = self.by_format.get(name) or {}
        return next((carried[f] for f in READABLE if carried.get(f) is not None), None)

    @property
    def request(self):
        """Return the AnonCreds proof request (`anoncreds` or `indy`), or None when none yet."""
        return self._part("pres_request")

    @property
    def proposal(self):
        """Return the AnonCreds proposal (the person's smaller request), or None."""
        return self._part("pres_proposal")

    @property
    def presentation(self):
        """Return the AnonCreds presentation, or None before one was made."""
        return self._part("pres")

    @property
    def whole(self):
        """Return True when the record carries its messages (`by_format`), not the state only."""
        return bool(self.by_format)


@dataclass(frozen=True, kw_only=True)
class CredExchange(_Exchange):
    """An issue-credential 2.0 exchange record, with what its AnonCreds detail says."""

    cred_ex_id: str
    cred_offer: dict = field(default_factory=dict)
    cred_preview: dict = field(default_factory=dict)
    cred_id_stored: str | None = None
    rev_reg_id: str | None = None

    @classmethod
    def from_agent(cls, data):
        """Build from a list item ({"cred_ex_record", "anoncreds"}) or a bare record."""
        if isinstance(data, cls) or "cred_ex_record" not in data:
            return super().from_agent(data)
        detail = data.get("anoncreds") or {}
        record = {
            **data["cred_ex_record"],
            "cred_id_stored": detail.get("cred_id_stored"),
            "rev_reg_id": detail.get("rev_reg_id"),
        }
        return super().from_agent(record)

    @property
    def values(self):
        """Return the offered {attribute name: value} (from the offer's preview)."""
        preview = self.cred_offer.get("credential_preview") or self.cred_preview or {}
        return {a["name"]: a["value"] for a in preview.get("attributes") or []}

    @property
    def comment(self):
        """Return the issuer's comment on the offer ('' when none)."""
        return self.cred_offer.get("comment") or ""

    @property
    def schema_id(self):
        """Return the schema id the offer names ('' when unknown)."""
        offer = self.by_format.get("cred_offer") or {}
        return (offer.get("anoncreds") or {}).get("schema_id", "")


@dataclass(frozen=True, kw_only=True)
class Connection(_Record):
    """A connection record: the other party's label, state and both DIDs."""

    connection_id: str
    their_label: str | None = None
    alias: str | None = None
    state: str = ""
    created_at: str = ""
    my_did: str | None = None
    their_did: str | None = None
    invitation_msg_id: str | None = None
    extra: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def active(self):
        """Return True once the connection can carry messages."""
        return self.state in ("active", "completed")

    @property
    def label(self):
        """Return the other party's label, or the connection id when it gave none."""
        return self.their_label or self.connection_id


def labels(connections):
    """Return {connection id: the other party's label} (pure)."""
    return {c.connection_id: c.label for c in connections}
