"""The verifier firm's side of terms: counters to accept, receipts to countersign, what it
owes (settle) and erasure requests to acknowledge."""

import dataclasses
import datetime
import logging
from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..earnings import ledger
from ..errors import InputError
from ..flows import present
from ..flows import receipts as flow
from ..flows import terms as client
from ..flows.negotiation import accept_counter, offer_terms
from ..flows.receipts import receipts
from ..flows.records import labels
from ..pricing.money import Money
from . import terms_form
from .common import agent, connections

LOG = logging.getLogger(__name__)
bp = Blueprint("firm", __name__, url_prefix="/verifier/terms")


def keys():
    """Return the firm's pairwise receipt `KeyRing` (master secret in the console's data)."""
    return current_app.extensions["tessera"]["receipt_keys"]


def now():
    """Return the console's current time (aware)."""
    return current_app.config.get("WALL_CLOCK", lambda: datetime.datetime.now(datetime.UTC))()


@dataclass(frozen=True)
class Negotiation:
    """The terms of one proof request as the firm sees them."""

    offer: dict | None
    answer: dict | None
    problem: dict | None = None

    @property
    def status(self):
        """Return "none", "offered", "agreed", "countered", "rejected", "not used" or "refused".

        "not used": the person's wallet cannot read Tessera terms (it answered the offer
        with a problem report), so the exchange goes on without terms and no receipt comes;
        "refused": its agent answered the offer with some other problem report.
        """
        if self.offer is None:
            return "none"
        if self.answer is None and self.problem is not None:
            return "not used" if self.problem["body"].get("not_supported") else "refused"
        if self.answer is None:
            return "offered"
        return {"accept": "agreed", "counter": "countered", "reject": "rejected"}[
            self.answer["body"]["decision"]
        ]


def negotiation(firm, connection_id, request_thread_id):
    """Return the `Negotiation` of a proof request (its newest offer and the answer to it)."""
    sent = [
        m
        for m in client.messages(firm, connection_id=connection_id, kind="offer", direction="sent")
        if m["body"].get("request_thread_id") == request_thread_id
    ]
    if not sent:
        return Negotiation(None, None)
    offer = sent[-1]
    answers = [
        m
        for m in client.messages(
            firm,
            thread_id=offer["thread_id"],
            kind="response",
            direction="received",
            status="accepted",
        )
        if m["body"]["revision"] == offer["body"]["revision"]
    ]
    problems = client.refusals(firm, connection_id=connection_id, thread_id=offer["thread_id"])
    return Negotiation(offer, answers[-1] if answers else None, problems[-1] if problems else None)


def carry_over(firm, proposal):
    """Offer the terms of the request a person's proposal replaced, for the proposal.

    Sent before the firm accepts the proposal, so that the person's wallet never sees
    the smaller request without its terms (and no receipt or pay is lost). The newest
    revision goes (a counter-price the firm accepted stays). Returns the `Terms`, or None
    when the replaced request stated none or cannot be found.
    """
    original = present.replaced_request(firm, proposal)
    if original is None:
        return None
    talk = negotiation(firm, original.connection_id, original.thread_id)
    if talk.offer is None:
        return None
    terms = terms_form.from_offer(talk.offer["body"])
    firm_key = keys().for_connection(proposal.connection_id).did
    offer_terms(firm, proposal.connection_id, terms, firm_key, proposal.thread_id)
    return terms


@bp.post("/accept-counter/<uuid:pres_ex_id>")
def accept(pres_ex_id):
    """Accept the person's counter price: offer it as the next revision of the terms."""
    record = present.record(agent(), pres_ex_id)
    talk = negotiation(agent(), record.connection_id, record.thread_id)
    if talk.status != "countered":
        raise InputError("There is no counter-offer to accept on this request.")
    firm_key = keys().for_connection(record.connection_id).did
    terms = terms_form.from_offer(talk.offer["body"])
    accept_counter(agent(), talk.answer, terms, firm_key, record.thread_id)
    flash("You accepted the person's price; the revised terms were sent.")
    return redirect(url_for("verifier.result", pres_ex_id=pres_ex_id))


@bp.post("/offer-again/<uuid:pres_ex_id>")
def offer_again(pres_ex_id):
    """Offer new terms after the person rejected the last: the same terms at a new price.

    They go as the next revision on the same terms thread, so the person's wallet asks
    again; the request waits for them instead of waiting forever (#19.5).
    """
    record = present.record(agent(), pres_ex_id)
    talk = negotiation(agent(), record.connection_id, record.thread_id)
    if talk.status != "rejected":
        raise InputError("The person has not rejected these terms: nothing to offer again.")
    if record.state != "request-sent":
        raise InputError("This exchange is over: send a new request with new terms.")
    price = Money.parse(
        {
            "amount": request.form.get("amount", "").strip(),
            "currency": request.form.get("currency", "").strip().upper(),
        },
        "new price",
    )
    revised = dataclasses.replace(terms_form.from_offer(talk.offer["body"]), price=price)
    offer_terms(
        agent(),
        record.connection_id,
        revised,
        keys().for_connection(record.connection_id).did,
        record.thread_id,
        thread_id=talk.offer["thread_id"],
        revision=talk.offer["body"]["revision"] + 1,
    )
    flash(f"New terms sent at {price}: the person's wallet asks them again.")
    return redirect(url_for("verifier.result", pres_ex_id=pres_ex_id))


def _labels():
    return labels(connections())


@bp.get("/owed")
def owed():
    """List countersigned receipts with what the firm owes for each, and Settle buttons."""
    entries = sorted(flow.ledger(agent(), side="firm"), key=lambda e: e.issued_at, reverse=True)
    return render_template(
        "verifier/owed.html",
        entries=entries,
        totals=ledger.totals_by_firm(entries),
        labels=_labels(),
    )


@bp.post("/owed/<receipt_id>/settle")
def settle_one(receipt_id):
    """Send the signed settlement of one receipt."""
    found = {r["receipt_id"]: r for r in receipts(agent(), side="firm")}
    entries = {e.receipt_id: e for e in flow.ledger(agent(), side="firm")}
    if receipt_id not in found or receipt_id not in entries:
        raise InputError(f"No countersigned receipt {receipt_id}; see the Owed page.")
    if entries[receipt_id].status == "paid":
        raise InputError("This receipt is already settled.")
    flow.settle(agent(), keys(), found[receipt_id], entries[receipt_id].connection_id, now())
    flash(f"Settled {entries[receipt_id].price}.")
    return redirect(url_for("firm.owed"))


@bp.get("/erasure")
def erasure_inbox():
    """List the erasure requests received and whether each was acknowledged."""
    messages = client.messages(agent())
    acked = {
        m["receipt_id"]: m["body"]["acknowledged_at"]
        for m in messages
        if m["kind"] == "erasure-ack" and m["direction"] == "sent"
    }
    asked = [m for m in messages if m["kind"] == "erasure-request" and m["direction"] == "received"]
    return render_template("verifier/erasure.html", asked=asked, acked=acked, labels=_labels())


@bp.post("/erasure/<record_id>/acknowledge")
def acknowledge(record_id):
    """Acknowledge one erasure request (after erasing what the receipt covers)."""
    found = [
        m
        for m in client.messages(agent(), kind="erasure-request", direction="received")
        if m["record_id"] == record_id
    ]
    if not found or found[0]["status"] != "accepted":
        raise InputError("No valid erasure request with that id; see the erasure inbox.")
    message = found[0]
    request_ = {**message["body"], "connection_id": message["connection_id"]}
    flow.acknowledge(agent(), keys(), {**request_, "thread_id": message["thread_id"]}, now())
    flash("Acknowledged. The person's wallet records that you erased the data.")
    return redirect(url_for("firm.erasure_inbox"))
