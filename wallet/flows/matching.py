"""Which stored credentials can answer which item of a proof request (pure, no I/O).

ACA-Py lists candidates without checking predicates and including revoked
credentials; Tessera filters both out here before anything is offered or chosen.
"""

from dataclasses import dataclass, field

from ..errors import InputError, UnsatisfiableRequest

PREDICATES = {
    ">=": lambda value, bound: value >= bound,
    ">": lambda value, bound: value > bound,
    "<=": lambda value, bound: value <= bound,
    "<": lambda value, bound: value < bound,
}


@dataclass(frozen=True)
class Candidate:
    """A stored credential ACA-Py proposes for some referents of a request."""

    cred_id: str
    attrs: dict
    schema_id: str
    cred_def_id: str
    rev_reg_id: str | None
    referents: frozenset
    raw: dict = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_agent(cls, item):
        """Build from one entry of `GET /present-proof-2.0/records/{id}/credentials`."""
        info = item["cred_info"]
        return cls(
            cred_id=info["referent"],
            attrs=dict(info.get("attrs") or {}),
            schema_id=info.get("schema_id", ""),
            cred_def_id=info.get("cred_def_id", ""),
            rev_reg_id=info.get("rev_reg_id"),
            referents=frozenset(item.get("presentation_referents") or ()),
            raw=item,
        )


def predicate_holds(predicate, raw_value):
    """Return True when `raw_value` satisfies the request's predicate item."""
    check = PREDICATES.get(predicate.get("p_type"))
    if check is None:
        raise InputError(f"Unknown predicate type {predicate.get('p_type')!r}.")
    try:
        return check(int(str(raw_value)), int(predicate["p_value"]))
    except (TypeError, ValueError):
        return False


def _attribute_names(item):
    if "names" in item:
        return list(item["names"])
    return [item["name"]]


def usable(request, candidates, revoked=frozenset()):
    """Map each referent of `request` to the candidates that can really answer it.

    A candidate is dropped for a referent when it is in `revoked`, lacks one of the
    attributes asked, or fails the predicate.
    """
    result = {}
    for referent, item in request.get("requested_attributes", {}).items():
        names = _attribute_names(item)
        result[referent] = [
            c
            for c in candidates
            if referent in c.referents
            and c.cred_id not in revoked
            and all(n in c.attrs for n in names)
        ]
    for referent, item in request.get("requested_predicates", {}).items():
        result[referent] = [
            c
            for c in candidates
            if referent in c.referents
            and c.cred_id not in revoked
            and item["name"] in c.attrs
            and predicate_holds(item, c.attrs[item["name"]])
        ]
    return result


def revoked_only(request, candidates, revoked):
    """Map each referent to the revoked candidates that would otherwise answer it."""
    return usable(request, [c for c in candidates if c.cred_id in revoked])


def unanswerable(request, options, revoked_options=None):
    """Return {referent: reason} for items no usable credential can answer.

    With `revoked_options` (from `revoked_only`), an item only a revoked credential
    could answer says so: "only a revoked credential holds X".
    """
    revoked_options = revoked_options or {}
    missing = {}
    for referent, item in request.get("requested_attributes", {}).items():
        if not options.get(referent):
            which = "only a revoked" if revoked_options.get(referent) else "no"
            missing[referent] = f"{which} credential holds {', '.join(_attribute_names(item))}"
    for referent, item in request.get("requested_predicates", {}).items():
        if not options.get(referent):
            which = "only a revoked" if revoked_options.get(referent) else "no"
            missing[referent] = (
                f"{which} credential proves {item['name']} {item['p_type']} {item['p_value']}"
            )
    return missing


def choose(request, options, chosen=None, self_attested=None, revoked_options=None):
    """Build the `send-presentation` body: the person's choices, else the first usable.

    `chosen` maps referents to credential ids picked by the person; a pick that is
    not usable for that referent is refused. Raises `UnsatisfiableRequest` when an
    item has no usable credential and no self-attested value.
    """
    chosen = dict(chosen or {})
    self_attested = dict(self_attested or {})
    reasons = unanswerable(request, options, revoked_options)
    missing = {k: v for k, v in reasons.items() if k not in self_attested}
    if missing:
        raise UnsatisfiableRequest(missing)
    for referent, cred_id in chosen.items():
        if cred_id not in {c.cred_id for c in options.get(referent, ())}:
            raise InputError(f"Credential {cred_id} cannot answer {referent}.")
    attrs = {
        ref: {"cred_id": chosen.get(ref, options[ref][0].cred_id), "revealed": True}
        for ref in request.get("requested_attributes", {})
        if ref not in self_attested
    }
    preds = {
        ref: {"cred_id": chosen.get(ref, options[ref][0].cred_id)}
        for ref in request.get("requested_predicates", {})
    }
    return {
        "requested_attributes": attrs,
        "requested_predicates": preds,
        "self_attested_attributes": self_attested,
    }
