"""Exchanges the other side never answered: see them waiting, and drive them on.

A firm's message can be lost on the way (ACA-Py's outbound queue is in memory and gives
up after its retries, about five minutes with Tessera's agent settings; a person's inbox
may be down longer), and a verifier whose agent was down while a presentation arrived
leaves it unchecked. The consoles say how long an exchange has waited, call it stuck
after `STUCK_AFTER`, and let the firm ask again (verifier), offer again (issuer) or
check a received presentation again. Asking or offering again sends a new exchange and
withdraws the first with a problem report, so the person never has two live copies.
"""

import datetime
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, url_for

from ..errors import AgentError
from ..flows import issue, present
from ..flows.negotiation import offer_terms
from . import firm_terms, terms_form
from .common import agent

STUCK_AFTER = datetime.timedelta(minutes=5)
ASKED_AGAIN = "The firm asked again in a new request; this one is withdrawn."
OFFERED_AGAIN = "The issuer offered again in a new offer; this one is withdrawn."

verifier_bp = Blueprint("redrive_verifier", __name__, url_prefix="/verifier/results")
issuer_bp = Blueprint("redrive_issuer", __name__, url_prefix="/issuer/issued")

# What a firm can do for an exchange waiting in each state.
ACTIONS = {
    ("verifier", "request-sent"): "ask",
    ("verifier", "presentation-received"): "check",
    ("issuer", "offer-sent"): "offer",
}


@dataclass(frozen=True)
class Waiting:
    """How long an exchange has waited for the other side, and what the firm can do."""

    action: str
    minutes: int
    stuck: bool


def waiting(role, state, updated_at, at, stuck_after=STUCK_AFTER):
    """Return the `Waiting` of an exchange in `state` since `updated_at` (ACA-Py's ISO
    time) at time `at`, or None when the firm has nothing to drive on."""
    action = ACTIONS.get((role, state))
    if action is None:
        return None
    try:
        since = datetime.datetime.fromisoformat(updated_at)
    except (TypeError, ValueError):
        return Waiting(action, 0, False)
    if since.tzinfo is None:
        since = since.replace(tzinfo=datetime.UTC)
    waited = max(at - since, datetime.timedelta(0))
    return Waiting(action, int(waited.total_seconds() // 60), waited >= stuck_after)


def _or_404(fetch, *args):
    try:
        return fetch(*args)
    except AgentError as exc:
        if exc.status == 404:
            abort(404)
        raise


@verifier_bp.post("/<uuid:pres_ex_id>/ask-again")
def ask_again(pres_ex_id):
    """Send a request never answered again (with its terms, if any); withdraw the first."""
    firm = agent()
    record = _or_404(present.record, firm, str(pres_ex_id))
    new_id, thread_id = present.ask_again(firm, record, ASKED_AGAIN)  # checks it may
    talk = firm_terms.negotiation(firm, record.connection_id, record.thread_id)
    if talk.offer is not None:
        terms = terms_form.from_offer(talk.offer["body"])
        firm_key = firm_terms.keys().for_connection(record.connection_id).did
        offer_terms(firm, record.connection_id, terms, firm_key, thread_id)
    flash("Asked again: this is the new request; the first one was withdrawn.")
    return redirect(url_for("verifier.result", pres_ex_id=new_id))


@verifier_bp.post("/<uuid:pres_ex_id>/check-again")
def check_again(pres_ex_id):
    """Verify a presentation that arrived but was never checked.

    The agent may check it itself meanwhile (it verifies what arrives while it runs): its
    refusal of a second check is then the answer, not an error.
    """
    firm = agent()
    record = _or_404(present.record, firm, str(pres_ex_id))
    waiting = record.state == "presentation-received"
    if waiting:
        try:
            present.check_again(firm, str(pres_ex_id))
        except AgentError as exc:
            again = present.record(firm, str(pres_ex_id))
            if exc.status != 400 or again.state == "presentation-received":
                raise
            waiting = False
    if not waiting:
        flash("This answer is not waiting to be checked; its result is below.")
    return redirect(url_for("verifier.result", pres_ex_id=pres_ex_id))


@issuer_bp.post("/<uuid:cred_ex_id>/offer-again")
def offer_again(cred_ex_id):
    """Offer the same values again where an offer was never answered; withdraw the first."""
    firm = agent()
    record = _or_404(firm.admin.get, f"/issue-credential-2.0/records/{cred_ex_id}")
    new_id = issue.offer_again(firm, record, OFFERED_AGAIN)
    flash(f"Offered again (exchange {new_id}); the first offer was withdrawn.")
    return redirect(url_for("issuer.issued"))
