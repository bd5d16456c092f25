"""What the issuer console knows about revocation: each issued credential's state, choices."""

from dataclasses import dataclass

from ..errors import InputError
from ..flows.revocation import issued_states

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


def rows(issuer, records, labels, aliases):
    """Return `Issued` rows, newest first, from the issuer's exchanges (`CredExchange`s)."""
    states = issued_states(issuer, [r.rev_reg_id for r in records])
    result = [
        Issued(
            id=record.cred_ex_id,
            schema=labels(record),
            to=aliases.get(record.connection_id, ""),
            state=record.state,
            updated=record.updated_at,
            rev_reg_id=record.rev_reg_id or "",
            revocation=states.get(record.cred_ex_id, "issued" if record.rev_reg_id else ""),
        )
        for record in records
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
