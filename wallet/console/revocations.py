"""What the issuer console knows about revocation: each issued credential's state, choices."""

from dataclasses import dataclass

from ..errors import AgentError, InputError
from .trust import quote_id

MAX_REASON = 200


@dataclass(frozen=True)
class Issued:
    """One row of the issued list: an exchange and, when revocable, its revocation state."""

    id: str
    schema: str
    to: str
    state: str
    updated: str
    rev_reg_id: str = ""
    revocation: str = ""

    @property
    def revocable(self):
        """Return True when the credential was issued revocably and is not yet revoked."""
        return self.state in ("done", "credential-issued") and self.revocation == "issued"


def registry_states(issuer, rev_reg_ids):
    """Return {cred_ex_id: "issued" | "revoked"} for the credentials of these registries."""
    states = {}
    for rev_reg_id in sorted(set(filter(None, rev_reg_ids))):
        try:
            path = f"/anoncreds/revocation/registry/{quote_id(rev_reg_id)}/issued/details"
            found = issuer.admin.get(path)
        except AgentError as exc:
            if exc.status == 404:
                continue
            raise
        for record in found if isinstance(found, list) else []:
            if record.get("cred_ex_id"):
                states[record["cred_ex_id"]] = record.get("state", "")
    return states


def rows(issuer, records, labels, aliases):
    """Return `Issued` rows, newest first, from the issuer's exchange list items."""
    found = []
    for item in records:
        record = item["cred_ex_record"]
        detail = item.get("anoncreds") or {}
        found.append((record, detail.get("rev_reg_id") or ""))
    states = registry_states(issuer, [r for _, r in found])
    result = [
        Issued(
            id=record["cred_ex_id"],
            schema=labels(record),
            to=aliases.get(record.get("connection_id"), ""),
            state=record.get("state", ""),
            updated=record.get("updated_at", ""),
            rev_reg_id=rev_reg_id,
            revocation=states.get(record["cred_ex_id"], "issued" if rev_reg_id else ""),
        )
        for record, rev_reg_id in found
    ]
    return sorted(result, key=lambda r: r.updated, reverse=True)


def check_reason(text):
    """Return the trimmed reason; refuse an empty or over-long one."""
    reason = (text or "").strip()
    if not reason:
        raise InputError("Give a reason for the revocation; it is kept with the record.")
    if len(reason) > MAX_REASON:
        raise InputError(f"Keep the reason under {MAX_REASON} characters.")
    return reason


def chosen(all_rows, ids):
    """Return the rows picked by `ids`; refuse unknown, unrevocable or no picks."""
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        raise InputError("Pick at least one issued credential to revoke.")
    by_id = {r.id: r for r in all_rows}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise InputError(f"No issued credential {', '.join(unknown)}; reload the list.")
    stuck = [i for i in ids if not by_id[i].revocable]
    if stuck:
        raise InputError(
            f"Cannot revoke {', '.join(stuck)}: it was issued without revocation support, "
            "is not issued yet, or is revoked already."
        )
    return [by_id[i] for i in ids]
