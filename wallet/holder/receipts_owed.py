"""Receipts owed: presentations sent under agreed terms whose receipt was never issued.

The approve path sends the presentation, then signs and sends the receipt. A wallet
or agent killed between the two (or an agent that failed the second call) leaves a
disclosure made with no receipt and no earnings entry. This sweep finds such
presentations and issues their receipts (`receipt_book.issue` issues once per
presentation), at unlock and on a timer while the wallet is unlocked. Sending is then
the terms outbox's job: the receipt is resent until the firm acknowledges it.
"""

import logging

from ..errors import WalletError
from ..flows import present
from . import receipt_book
from .timer import Timer

LOG = logging.getLogger(__name__)
SENT_STATES = ("presentation-sent", "done")
SWEEP_EVERY = 60.0


def owed(agent):
    """Return the prover's exchanges sent after a terms offer and with no receipt sent yet."""
    messages = receipt_book.terms_messages(agent)
    offered = {
        (m["connection_id"], (m.get("body") or {}).get("request_thread_id"))
        for m in messages
        if m["kind"] == "offer" and m["direction"] == "received" and m["status"] == "accepted"
    }
    if not offered:
        return []
    receipted = {
        ((m.get("body") or {}).get("receipt") or {}).get("proof_thread_id")
        for m in messages
        if m["kind"] == "receipt" and m["direction"] == "sent"
    }
    return [
        r
        for r in present.records(agent, role="prover")
        if r.state in SENT_STATES
        and (r.connection_id, r.thread_id) in offered
        and r.thread_id not in receipted
    ]


def issue_owed(agent, data_dir, now):
    """Issue every receipt owed; return the ids of the receipts issued.

    One that cannot be issued now (the agent busy, terms not agreed after all) is
    logged and left for the next sweep.
    """
    issued = []
    for record in owed(agent):
        try:
            receipt = receipt_book.issue(agent, data_dir, record, now)
        except WalletError as exc:
            LOG.warning("The receipt owed for %s is not issued yet: %s", record.pres_ex_id, exc)
            continue
        if receipt is not None:
            LOG.info("Issued the receipt owed for presentation %s", record.pres_ex_id)
            issued.append(receipt["receipt_id"])
    return issued


class OwedReceipts:
    """Runs `issue_owed` at unlock and every `interval` seconds while the wallet is unlocked."""

    def __init__(self, service, interval=SWEEP_EVERY):
        """Sweep the agent of `service` (a `HolderService`); interval None: never (tests)."""
        self.service = service
        self.timer = Timer(interval, self.sweep, name="receipts-owed", at_start=True)

    def start(self):
        """Start sweeping (the first sweep runs at once)."""
        self.timer.start()

    def stop(self):
        """Stop sweeping."""
        self.timer.stop()

    def sweep(self):
        """Issue what is owed now; return the receipt ids issued ([] while locked)."""
        agent = self.service.agent
        if agent is None:
            return []
        return issue_owed(agent, self.service.data_dir, self.service.wall_clock())
