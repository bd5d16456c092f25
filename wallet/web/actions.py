"""What the person can do, shared by the pages and the JSON API (one copy of each action)."""

from ..errors import AgentError, InputError
from ..flows import connect, issue, present
from ..invitations import parse_invitation_url
from . import disclosure, records
from .errors import Changed, NotFound

MAX_REASON = 500


def receive_invitation(agent, url):
    """Validate an invitation URL and accept it; return (Invitation, connection id)."""
    invitation = parse_invitation_url(url)
    connection_id = connect.receive_invitation(agent, invitation.raw, alias=invitation.label)
    return invitation, connection_id


def own_invitation(agent):
    """Create an invitation to this wallet; return its URL."""
    return connect.create_invitation(agent)["invitation_url"]


def accept_offer(agent, schemas, cred_ex_id):
    """Accept a pending offer (it must still be pending); return the stored credential id."""
    records.offer(agent, schemas, cred_ex_id)
    return issue.accept_offer(agent, cred_ex_id)


def _reason(reason, default):
    reason = (reason or "").strip() or default
    if len(reason) > MAX_REASON:
        raise InputError(f"Keep the reason under {MAX_REASON} characters.")
    return reason


def decline_offer(agent, schemas, cred_ex_id, reason=""):
    """Decline a pending offer with a problem report."""
    records.offer(agent, schemas, cred_ex_id)
    issue.decline_offer(agent, cred_ex_id, _reason(reason, "The person declined the offer."))


def delete_credential(agent, cred_id):
    """Delete a stored credential."""
    try:
        agent.admin.delete(f"/credential/{cred_id}")
    except AgentError as exc:
        if exc.status == 404:
            raise NotFound(f"No credential {cred_id} in the wallet.") from exc
        raise


def consent(agent, schemas, pres_ex_id, today):
    """Return (record, Disclosure) for a pending request."""
    record = records.request_record(agent, pres_ex_id)
    request = present.anoncreds_request(record)
    options = present.options(agent, record)
    labels = records.connection_labels(agent)
    who = labels.get(record.get("connection_id"), "(unknown firm)")
    return record, disclosure.describe(record, request, options, schemas, who, today)


def approve(service, schemas, pres_ex_id, chosen, self_attested, shown_digest, today):
    """Send exactly what was shown (checked by digest), log it; return the history summary."""
    agent = service.require()
    record, view = consent(agent, schemas, pres_ex_id, today)
    picks = disclosure.resolve_choices(view, chosen)
    attested = {k: v for k, v in (self_attested or {}).items() if str(v).strip()}
    expected = {i.referent for i in view.of_kind("self_attested")}
    missing = sorted(expected - set(attested))
    if missing:
        raise InputError(f"Type a value for: {', '.join(missing)}.")
    if set(attested) - expected:
        raise InputError("A typed value answers nothing the request asks.")
    if shown_digest is not None and shown_digest != disclosure.digest(view):
        raise Changed()
    present.present(agent, record, chosen=picks, self_attested=attested)
    summary = disclosure.summary(view, picks)
    service.history.append("sent", view.who, request_name=view.name, **summary)
    return summary


def decline_request(service, pres_ex_id, reason=""):
    """Decline a pending request with a problem report and log it."""
    agent = service.require()
    record = records.request_record(agent, pres_ex_id)
    reason = _reason(reason, "The person declined to share this.")
    present.decline(agent, pres_ex_id, reason)
    labels = records.connection_labels(agent)
    request = present.anoncreds_request(record)
    service.history.append(
        "declined",
        labels.get(record.get("connection_id"), "(unknown firm)"),
        request_name=request.get("name", ""),
        reason=reason,
    )
    return reason
