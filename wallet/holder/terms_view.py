"""A proof request's terms as the consent screen shows them, and the person's answer to them.

Also the person's rule for requests with no agreed terms ("no terms stated"): leave
them to the person, or let the disclosure rules decide anyway (the default, as before terms).
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from .. import durable
from ..consent.policy import Decision
from ..errors import AgentError, InputError, WalletError
from ..flows import present
from ..flows.negotiation import (
    NO_TERMS,
    agreed_terms,
    agreement,
    latest_offer,
    names,
    respond,
    responses,
)
from ..pricing import store
from ..pricing.money import Money
from ..pricing.price_list import quote
from ..receipts.vocabulary import choice

LOG = logging.getLogger(__name__)
RULE_FILE = "terms-rule.json"
NO_TERMS_RULES = {
    "rules": "Let my disclosure rules decide, terms or not",
    "ask": "Ask me: never answer automatically without agreed terms",
}
NO_TERMS_GATE = "terms:none"
OPEN_TERMS_GATE = "terms:open"
DEFAULT_RULE = "rules"


class TermsPending(InputError):
    """Terms are offered but not agreed: sending now gives the answer away for free."""

    def __init__(self, who, terms):
        """Say what the person is about to do, and how to do it on purpose."""
        self.terms = terms
        super().__init__(
            f"{who} has not agreed to your price, so this answer would go for free, with no "
            "receipt and no earnings. Agree the terms first, or confirm that you send it free."
        )


@dataclass(frozen=True)
class TermsView:
    """The terms of one proof request: agreed, offered (with the person's price) or none."""

    status: str
    terms: dict | None = None
    offer: dict | None = None
    asking: Money | None = None
    answered: dict | None = None

    @property
    def price(self):
        """Return the price stated in the terms, or None."""
        return Money.parse(self.terms["price"]) if self.terms else None

    @property
    def pending(self):
        """Return True when terms were offered and are not agreed (waiting, countered, rejected)."""
        return self.status == "offered"

    @property
    def open(self):
        """Return True when an offer waits for the person's answer."""
        return self.status == "offered" and self.answered is None

    def to_json(self):
        """Return the API form."""
        return {
            "status": self.status,
            "terms": self.terms,
            "asking": self.asking.to_json() if self.asking else None,
            "answered": self.answered,
        }


def answer_to(agent, offer, sent=None):
    """Return the person's answer (body) to this revision of an offer, or None.

    `sent` is the person's accepted responses on the offer's thread, when already read
    (else they are read on any connection).
    """
    if sent is None:
        sent = responses(agent, None, offer)
    mine = [m["body"] for m in sent if m["body"].get("revision") == offer["body"]["revision"]]
    return mine[-1] if mine else None


def asking_price(data_dir, request, purpose):
    """Return the person's price (`Money`) for a request under a purpose; None if unset."""
    prices = store.load(data_dir)
    if prices is None:
        return None
    revealed, predicates = names(request)
    return quote(prices, revealed, predicates, purpose).asking


def view(agent, data_dir, record, request):
    """Return the `TermsView` of a request record (the offers and answers read once each)."""
    connection_id, thread = record.connection_id, record.thread_id
    if not connection_id:
        return TermsView(NO_TERMS)
    try:
        offer = latest_offer(agent, connection_id, thread)
        if offer is None:
            return TermsView(NO_TERMS)
        sent = responses(agent, connection_id, offer)
    except AgentError as exc:
        if exc.status == 404:  # an agent without the terms plugin: nobody stated terms
            return TermsView(NO_TERMS)
        raise
    agreed = agreement(offer, sent)
    if agreed:
        return TermsView("agreed", agreed)
    asking = asking_price(data_dir, request, offer["body"]["purpose"])
    return TermsView("offered", offer["body"], offer, asking, answer_to(agent, offer, sent))


def answer(agent, terms, decision, amount="", currency="", reason=""):
    """Answer the open offer of a `TermsView`: accept, reject, or counter with a price."""
    choice(decision, ("accept", "reject", "counter"), "answer")
    if not terms.open:
        raise InputError("There is no offer of terms waiting for your answer on this request.")
    price = None
    if decision == "counter":
        price = Money.parse({"amount": amount.strip(), "currency": currency.strip().upper()})
    respond(agent, terms.offer, decision, price, reason[:500])
    return decision


KEPT_TERMS = ("purpose", "purpose_text", "legal_basis", "retention", "onward_sharing")


def carried_over(agent, record, offer):
    """Return why the person's agreement carries over to `offer`, or "" when it does not.

    It does for a request the firm sent by accepting the person's own smaller answer,
    when the offer states exactly the terms the person agreed for the request that
    answer replaced (purpose, legal basis, retention, onward sharing), at the same price
    or more: the person agreed to give more under these terms.
    """
    if not record.proposal:
        return ""
    original = present.replaced_request(agent, record, reported_by=present.OWN_REPORT)
    if original is None:
        return ""
    agreed = agreed_terms(agent, original.connection_id, original.thread_id)
    body = offer["body"]
    if not agreed or any(agreed.get(k) != body.get(k) for k in KEPT_TERMS):
        return ""
    try:
        was, now = Money.parse(agreed["price"]), Money.parse(body["price"])
    except InputError:
        return ""
    if was.currency != now.currency or now.amount < was.amount:
        return ""
    name = present.request_name(original, "the request")
    return f"You agreed to these terms for '{name}'; your smaller answer keeps them."


def load_rule(data_dir):
    """Return the person's no-terms rule ("rules" unless they chose "ask").

    An unreadable choice holds automatic answers for the person ("ask"); a corrupt file
    is set aside and logged.
    """
    try:
        doc = durable.read_json(Path(data_dir) / RULE_FILE, missing={"no_terms": DEFAULT_RULE})
    except (durable.CorruptFile, OSError) as exc:
        LOG.warning("Your rule for requests without terms cannot be read: %s", exc)
        return "ask"
    rule = doc.get("no_terms") if isinstance(doc, dict) else None
    return rule if rule in NO_TERMS_RULES else "ask"


def save_rule(data_dir, rule):
    """Save the no-terms rule (owner-only, atomically and durably)."""
    choice(rule, tuple(NO_TERMS_RULES), "rule for requests without terms")
    durable.write_json(Path(data_dir) / RULE_FILE, {"no_terms": rule})


def gate(agent, data_dir, record, decision):
    """Hold an automatic approval for the person unless its terms allow it.

    Terms the firm offered and the person has not agreed (open, countered or rejected)
    always hold it: no data leaves free while a price is pending. With no terms stated,
    the person's rule decides ("rules" lets the approval go, "ask" holds it).
    """
    try:
        if record.thread_id is None:
            record = present.record(agent, record.pres_ex_id)
        agreed = offered = None
        if record.connection_id:
            agreed = agreed_terms(agent, record.connection_id, record.thread_id)
            offered = agreed or latest_offer(agent, record.connection_id, record.thread_id)
    except WalletError as exc:
        if not isinstance(exc, AgentError) or exc.status != 404:
            return Decision("ask", NO_TERMS_GATE, f"The terms could not be read: {exc}")
        agreed = offered = None
    if agreed:
        return decision
    if offered:
        return Decision(
            "ask", OPEN_TERMS_GATE, "The firm's terms are not agreed yet: your wallet asks you."
        )
    if load_rule(data_dir) == "rules":
        return decision
    return Decision(
        "ask", NO_TERMS_GATE, f"{NO_TERMS.capitalize()} for this request: your wallet asks you."
    )
