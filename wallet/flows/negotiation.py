"""Offer, answer and look up terms: the firm's and the person's side as plain functions."""

from dataclasses import dataclass

from ..pricing.money import Money
from ..pricing.price_list import answer, quote
from .terms import messages, send

NO_TERMS = "no terms stated"


@dataclass(frozen=True)
class Terms:
    """What a firm states before a disclosure, and the price it offers."""

    purpose: str
    legal_basis: str
    retention: str
    onward_sharing: bool
    price: Money
    purpose_text: str = ""

    def body(self, firm_key, request_thread_id="", revision=0):
        """Return the offer message body."""
        return {
            "purpose": self.purpose,
            "purpose_text": self.purpose_text,
            "legal_basis": self.legal_basis,
            "retention": self.retention,
            "onward_sharing": self.onward_sharing,
            "price": self.price.to_json(),
            "request_thread_id": request_thread_id,
            "revision": revision,
            "firm_key": firm_key,
        }


def offer_terms(
    firm, connection_id, terms, firm_key, request_thread_id="", thread_id=None, revision=0
):
    """Firm: send terms (for the proof request of `request_thread_id`); return the record."""
    body = terms.body(firm_key, request_thread_id, revision)
    return send(firm, connection_id, "offer", body, thread_id=thread_id)


def respond(holder, offer, decision, price=None, reason=""):
    """Person: answer an offer record with accept, reject or counter (with a `Money`)."""
    body = {
        "decision": decision,
        "price": price.to_json() if price else {},
        "reason": reason,
        "revision": offer["body"]["revision"],
    }
    return send(holder, offer["connection_id"], "response", body, offer["thread_id"])


def names(request):
    """Return (revealed attribute names, predicate names) of an AnonCreds proof request."""
    revealed = []
    for item in (request.get("requested_attributes") or {}).values():
        revealed.extend(item.get("names") or [item.get("name")])
    predicates = [i.get("name") for i in (request.get("requested_predicates") or {}).values()]
    return [n for n in revealed if n], [n for n in predicates if n]


def auto_answer(holder, prices, offer, request):
    """Person's wallet: price the request, then accept, counter, or leave it to the person.

    Returns the `Answer`; "ask" sends nothing (the person decides with `respond`).
    """
    revealed, predicates = names(request)
    offered = Money.parse(offer["body"]["price"])
    result = answer(offered, quote(prices, revealed, predicates, offer["body"]["purpose"]))
    if result.decision in ("accept", "counter"):
        respond(holder, offer, result.decision, result.price, result.reason)
    return result


def latest_offer(agent, connection_id, request_thread_id, direction="received"):
    """Return the newest accepted offer made for a proof request's thread, or None."""
    offers = [
        m
        for m in messages(
            agent, connection_id=connection_id, kind="offer", direction=direction, status="accepted"
        )
        if m["body"].get("request_thread_id") == request_thread_id
    ]
    return offers[-1] if offers else None


def agreed_terms(agent, connection_id, request_thread_id, side="holder"):
    """Return the terms body both agreed for a proof request (with thread_id), or None.

    Agreed means: the person's wallet accepted the newest revision the firm offered.
    """
    offer = latest_offer(
        agent, connection_id, request_thread_id, "received" if side == "holder" else "sent"
    )
    if offer is None:
        return None
    return agreement(offer, responses(agent, connection_id, offer, side))


def responses(agent, connection_id, offer, side="holder"):
    """Return the person's accepted responses on an offer's thread (as `side` holds them)."""
    return messages(
        agent,
        connection_id=connection_id,
        thread_id=offer["thread_id"],
        kind="response",
        direction="sent" if side == "holder" else "received",
        status="accepted",
    )


def agreement(offer, answers):
    """Return the offer's terms body (with thread_id) if `answers` accept its revision, or None."""
    accepted = [
        a
        for a in answers
        if a["body"]["decision"] == "accept" and a["body"]["revision"] == offer["body"]["revision"]
    ]
    return {**offer["body"], "thread_id": offer["thread_id"]} if accepted else None


def terms_status(holder, connection_id, request_thread_id):
    """Person's wallet: "agreed", "offered" (awaiting an answer) or "no terms stated"."""
    if agreed_terms(holder, connection_id, request_thread_id):
        return "agreed"
    if latest_offer(holder, connection_id, request_thread_id):
        return "offered"
    return NO_TERMS


def accept_counter(firm, response, terms, firm_key, request_thread_id):
    """Firm: accept the person's counter price by offering it as the next revision."""
    price = Money.parse(response["body"]["price"], "counter price")
    revised = Terms(
        terms.purpose,
        terms.legal_basis,
        terms.retention,
        terms.onward_sharing,
        price,
        terms.purpose_text,
    )
    return offer_terms(
        firm,
        response["connection_id"],
        revised,
        firm_key,
        request_thread_id,
        thread_id=response["thread_id"],
        revision=response["body"]["revision"] + 1,
    )
