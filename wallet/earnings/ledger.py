"""The earnings ledger, folded from the receipts and settlements an agent holds (pure).

Nothing here is a separate mutable store: an entry exists because a countersigned
receipt does, and is paid because a signed settlement for it arrived and verified.
Refused messages (bad price, forged signature, unknown receipt) change no entry.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..pricing.money import Money

CSV_FIELDS = (
    "receipt_id",
    "party",
    "month",
    "issued_at",
    "amount",
    "currency",
    "status",
    "paid_at",
)


@dataclass(frozen=True)
class Entry:
    """What is owed for one disclosure, and whether it was paid.

    `party` is the other side's pairwise DID: the firm in the person's ledger, the
    person in a firm's.
    """

    receipt_id: str
    party: str
    connection_id: str
    issued_at: str
    price: Money
    paid_at: str = ""

    @property
    def month(self):
        """Return the month of the disclosure as YYYY-MM."""
        return self.issued_at[:7]

    @property
    def status(self):
        """Return "paid" or "owed"."""
        return "paid" if self.paid_at else "owed"


def build(messages, side="holder"):
    """Fold terms messages into ledger entries (holder: received; firm: sent)."""
    direction = "received" if side == "holder" else "sent"
    kept = [m for m in messages if m["direction"] == direction and m["status"] == "accepted"]
    paid = {m["receipt_id"]: m["body"]["settled_at"] for m in kept if m["kind"] == "settlement"}
    entries = {}
    for m in kept:
        if m["kind"] != "countersigned" or m["receipt_id"] in entries:
            continue  # a replayed receipt is counted once
        receipt = m["body"]["receipt"]
        other = "firm" if side == "holder" else "holder"
        entries[m["receipt_id"]] = Entry(
            receipt_id=receipt["receipt_id"],
            party=receipt[other]["did"],
            connection_id=m["connection_id"],
            issued_at=receipt["issued_at"],
            price=Money.parse(receipt["price"]),
            paid_at=paid.get(receipt["receipt_id"], ""),
        )
    return list(entries.values())


def _totals(entries, key):
    totals = defaultdict(lambda: {"owed": Decimal(0), "paid": Decimal(0)})
    for e in entries:
        totals[(key(e), e.price.currency)][e.status] += e.price.amount
    return {k: {s: Money(k[1], v) for s, v in t.items()} for k, t in sorted(totals.items())}


def totals_by_firm(entries):
    """Return {(firm DID, currency): {"owed": Money, "paid": Money}}."""
    return _totals(entries, lambda e: e.party)


def totals_by_month(entries):
    """Return {(YYYY-MM, currency): {"owed": Money, "paid": Money}}."""
    return _totals(entries, lambda e: e.month)


def to_csv(entries):
    """Return the ledger as CSV text (amounts exact, as written)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for e in sorted(entries, key=lambda e: (e.issued_at, e.receipt_id)):
        writer.writerow(
            (
                e.receipt_id,
                e.party,
                e.month,
                e.issued_at,
                f"{e.price.amount:f}",
                e.price.currency,
                e.status,
                e.paid_at,
            )
        )
    return out.getvalue()
