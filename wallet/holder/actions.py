"""What the person can do, shared by the pages and the JSON API (one copy of each action)."""

import logging
from dataclasses import dataclass

from ..consent import advisor
from ..consent.reasons import decline_reason
from ..errors import AgentError, InputError, NotFound, WalletError
from ..flows import connect, held, issue, oob, present
from ..flows.matching import predicate_holds
from ..flows.records import PresExchange
from ..invitations import parse_invitation_url
from . import disclosure, probes, receipt_book, records, sending, set_aside, terms_view
from .errors import Changed

LOG = logging.getLogger(__name__)

MAX_REASON = 500
PERSON = "person"


def receive_invitation(agent, url, *, allow_loopback):
    """Validate a firm's link and take it; return (Invitation, connection id, request id).

    An invitation connects (the request id is None); a verifier's link carrying a proof
    request with no connection (its QR code) is received as a request waiting for the
    person's answer (the connection id is None). `allow_loopback` is the deployment's
    setting (the demo and tests only).
    """
    invitation = parse_invitation_url(url, allow_loopback=allow_loopback)
    if invitation.carries_request:
        return invitation, None, oob.receive_oob_request(agent, invitation.raw)["pres_ex_id"]
    connection_id = connect.receive_invitation(agent, invitation.raw, alias=invitation.label)
    return invitation, connection_id, None


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


def delete_credential(agent, cred_id, index=None):
    """Delete a stored credential (and drop it from the wallet's credential `index`)."""
    try:
        held.delete(agent, cred_id)
    except AgentError as exc:
        if exc.status == 404:
            if index is not None:
                index.removed(cred_id)
            raise NotFound(f"No credential {cred_id} in the wallet.") from exc
        raise
    if index is not None:
        index.removed(cred_id)


def consent(agent, schemas, pres_ex_id, today, issuance=None):
    """Return (record, Disclosure) for a pending request.

    With the session's `IssuanceIndex` as `issuance`, each choice names its issuer and
    date; with the wallet's `HeldCredentials`, the candidates are also found through its
    index (each item's newest credentials, read by id).
    """
    record, view, _ = _consent(agent, schemas, pres_ex_id, today, issuance)
    return record, view


@dataclass(frozen=True)
class ConsentScreen:
    """What the consent screen (and its JSON) shows of a pending request."""

    record: PresExchange
    view: disclosure.Disclosure
    request: dict
    warnings: list
    terms: terms_view.TermsView
    advice: advisor.Advice


def consent_screen(service, agent, schemas, pres_ex_id, today, issuance=None):
    """Return a pending request's `SetAside` when it cannot be answered, else its `ConsentScreen`.

    The record, the connection labels and the terms are each read once. With the
    session's `IssuanceIndex` as `issuance`, each choice names its issuer and date; with
    the wallet's `HeldCredentials`, the candidates are also found through its index
    (each item's newest credentials, read by id).
    """
    record = records.request_record(agent, pres_ex_id)
    labels = records.connection_labels(agent)
    aside = set_aside.of(record, schemas, labels)
    if aside is not None:
        return aside
    view, _ = _describe(agent, schemas, record, labels, today, issuance)
    request = present.anoncreds_request(record)
    warnings = probes.warnings(service.data_dir, agent, record, request, schemas, view.who)
    terms = terms_view.view(agent, service.data_dir, record, request)
    found = advice(service, schemas, view, request, today, terms)
    return ConsentScreen(record, view, request, warnings, terms, found)


def _consent(agent, schemas, pres_ex_id, today, issuance=None):
    """Return (record, Disclosure, Assessment): the record is read and assessed once."""
    record = records.request_record(agent, pres_ex_id)
    labels = records.connection_labels(agent)
    view, assessed = _describe(agent, schemas, record, labels, today, issuance)
    return record, view, assessed


def _describe(agent, schemas, record, labels, today, issuance=None):
    """Return (Disclosure, Assessment) of a request record, with the connection labels read."""
    request = present.anoncreds_request(record)
    assessed = present.assess(agent, record, lookup=getattr(issuance, "candidates", None))
    who = labels.get(record.connection_id, "(unknown firm)")
    ids = sorted({c.cred_id for found in assessed.usable.values() for c in found or ()})
    issued = issuance.lookup(agent, ids, labels) if issuance is not None and ids else None
    view = disclosure.describe(
        record, request, assessed.usable, schemas, who, today, issued=issued, cut=assessed.cut
    )
    return view, assessed


def approve(
    service,
    schemas,
    pres_ex_id,
    chosen,
    self_attested,
    shown_digest,
    today,
    free=False,
    together=None,
    split=(),
):
    """Send exactly what was shown (checked by digest), log it; return the history summary.

    While the firm's terms are not agreed nothing leaves unless `free` says the person
    confirmed sending it for free (`terms_view.TermsPending` otherwise). Items of one
    credential type go from the credential picked in `together` unless the person
    combines credentials on purpose (`split`); the answer's "combined" lists the warnings.
    """
    agent = service.require()
    record, view, assessed = _consent(agent, schemas, pres_ex_id, today, service.held)
    _free_or_agreed(service, agent, record, view, free)
    picks = disclosure.resolve_choices(view, chosen, together, split)
    attested = {k: v for k, v in (self_attested or {}).items() if str(v).strip()}
    expected = {i.referent for i in view.of_kind("self_attested")}
    missing = sorted(expected - set(attested))
    if missing:
        raise InputError(f"Type a value for: {', '.join(missing)}.")
    if set(attested) - expected:
        raise InputError("A typed value answers nothing the request asks.")
    if shown_digest is not None and shown_digest != disclosure.digest(view):
        raise Changed()
    summary = disclosure.summary(view, picks)
    entry = service.history.entry("sent", view.who, request_name=view.name, rule=PERSON, **summary)
    sent = sending.send_logged(
        service.history,
        agent,
        pres_ex_id,
        entry,
        lambda: present.present(agent, record, picks, attested, assessed=assessed),
    )
    receipt_id = receipt_after(service, sent.record, entry)
    return {**summary, "receipt_id": receipt_id, "combined": disclosure.combining(view, picks)}


def _free_or_agreed(service, agent, record, view, free):
    """Raise `TermsPending` when terms are still open and the person did not confirm free."""
    if free:
        return
    terms = terms_view.view(agent, service.data_dir, record, present.anoncreds_request(record))
    if terms.pending:
        raise terms_view.TermsPending(view.who, terms)


def receipt_after(service, record, entry):
    """Issue the signed receipt of a presentation just sent; return its id ("" without terms).

    `record` is the exchange as the agent answered the sending (it holds the presentation).
    The presentation has left already, so a receipt that cannot be made is logged, not raised.
    """
    try:
        receipt = receipt_book.issue(
            service.require(), service.data_dir, record, service.wall_clock()
        )
    except WalletError as exc:
        LOG.warning("Sent %s, but its receipt could not be issued: %s", record.pres_ex_id, exc)
        return ""
    if receipt is None:
        return ""
    receipt_book.link(service.data_dir, entry, receipt["receipt_id"])
    return receipt["receipt_id"]


def decline_request(service, pres_ex_id, reason="", code=""):
    """Decline a pending request with a problem report (reason picked + free text); log it."""
    agent = service.require()
    record = records.request_record(agent, pres_ex_id)
    reason = decline_reason(code, reason)
    present.decline(agent, pres_ex_id, reason)
    labels = records.connection_labels(agent)
    request = present.anoncreds_request(record)
    service.history.append(
        "declined",
        labels.get(record.connection_id, "(unknown firm)"),
        request_name=present.request_name(record, request.get("name", "")),
        reason=reason,
        rule=PERSON,
    )
    return reason


def held_values(view):
    """Return {attribute name: value} the consent screen would reveal (first choices)."""
    return {
        name: value for item in view.of_kind("revealed") for name, _, value in item.choices[0].shown
    }


def held_options(view):
    """Return {attribute name: every value the person could reveal for it} (all choices)."""
    found = {}
    for item in view.of_kind("revealed"):
        for choice in item.choices:
            for name, _, value in choice.shown:
                found.setdefault(name, []).append(value)
    return found


def advice(service, schemas, view, request, today, terms=None):
    """Return the over-asking `Advice` for a request the person is reading.

    `terms` is the request's `TermsView`: the purpose it states lets the advisor judge.
    """
    entries = service.history.entries() if service.history is not None else []
    purpose = (terms.terms or {}).get("purpose") if terms is not None else None
    return advisor.advise(
        request, schemas, today, entries, view.who, held_values(view), purpose=purpose
    )


def counter_propose(service, schemas, pres_ex_id, choices, thresholds, today):
    """Answer with a smaller request: send a proposal, then decline the original.

    `choices` maps attribute names to "keep", "prove" (a suggested predicate instead)
    or "drop"; `thresholds` maps names to the person's thresholds. ACA-Py makes a
    received proposal a new exchange on its own thread, so the proposal goes first
    (nothing is lost if it fails) and a problem report then closes the original.
    Returns (the proposal's exchange id, the smaller request).
    """
    agent = service.require()
    record, view = consent(agent, schemas, pres_ex_id, today)
    connection_id = record.connection_id
    if not connection_id:
        raise InputError(
            "This firm asked without a connection, so it cannot receive a smaller answer; "
            "decline and connect to the firm first."
        )
    request = present.anoncreds_request(record)
    found = advice(service, schemas, view, request, today)
    suggested = {s.name: s for s in found.suggestions}
    asked = {name for _, name in advisor.revealed_names(request)}
    unknown = sorted(set(choices) - asked)
    if unknown or any(v not in ("keep", "prove", "drop") for v in choices.values()):
        raise InputError("Choose keep, prove or leave out for the values the request asks.")
    prove = {n: suggested[n] for n, v in choices.items() if v == "prove" and n in suggested}
    if any(v == "prove" and n not in suggested for n, v in choices.items()):
        raise InputError("Only the values marked with a suggestion can be proven instead.")
    drop = {n for n, v in choices.items() if v == "drop"}
    if not prove and not drop:
        raise InputError(
            "Your answer is the same as the request: prove or leave out at least one value, "
            "or approve the request as it is."
        )
    wanted = {n: thresholds[n] for n in prove if str(thresholds.get(n, "")).strip()}
    smaller = advisor.counter_request(request, today, prove, drop, wanted)
    options = held_options(view)
    for name, suggestion in prove.items():
        values = options.get(name) or ()
        predicate = suggestion.predicate(today, wanted.get(name))
        if values and not any(predicate_holds(predicate, v) for v in values):
            raise InputError(
                f"None of your credentials can {suggestion.sentence(wanted.get(name))}, so the "
                "firm would accept an answer you cannot give. Pick a threshold your credential "
                "meets, or share the value."
            )
    words = "; ".join(
        [prove[n].sentence(wanted.get(n)) for n in prove] + [f"leave out {n}" for n in sorted(drop)]
    )
    proposal = present.propose(agent, connection_id, smaller, f"A smaller answer: {words}")
    reason = present.smaller_answer_reason(proposal.thread_id, words)
    present.decline(agent, pres_ex_id, reason[:MAX_REASON])
    service.history.append(
        "declined", view.who, request_name=view.name, reason=f"You proposed: {words}", rule=PERSON
    )
    return proposal.pres_ex_id, smaller


def answer_terms(service, pres_ex_id, decision, amount="", currency="", reason=""):
    """Answer the firm's offer of terms on a waiting request; return the decision.

    Terms agreed let the person's rules decide again on the request.
    """
    agent = service.require()
    record = records.request_record(agent, pres_ex_id)
    shown = terms_view.view(agent, service.data_dir, record, present.anoncreds_request(record))
    decision = terms_view.answer(agent, shown, decision, amount, currency, reason)
    if decision == "accept":
        service.responders.agreed(pres_ex_id)
    return decision
