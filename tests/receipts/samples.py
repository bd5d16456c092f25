"""Sample receipts signed with fixed test keys."""

import datetime

from wallet.receipts import receipt
from wallet.receipts.keys import derive

HOLDER = derive("aG9sZGVyLW1hc3Rlci1zZWNyZXQtZm9yLXRlc3Rz", "conn-h")
FIRM = derive("ZmlybS1tYXN0ZXItc2VjcmV0LWZvci10ZXN0cw", "conn-f")
NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
TERMS = {
    "purpose": "age-check",
    "purpose_text": "Selling you wine",
    "legal_basis": "consent",
    "retention": "P30D",
    "onward_sharing": False,
    "price": {"amount": "1.80", "currency": "EUR"},
    "thread_id": "terms-thread",
}


def body(now=NOW):
    """Return an unsigned receipt body."""
    return receipt.build(
        terms=TERMS,
        holder={"did": "did:peer:4holder", "key": HOLDER.did},
        firm={"did": "did:peer:4firm", "key": FIRM.did},
        revealed=["nationality"],
        predicates=[{"name": "birthdate_dateint", "p_type": "<=", "p_value": 20080301}],
        proof_thread_id="proof-thread",
        presentation={"proof": {"x": 1}},
        now=now,
    )


def countersigned(now=NOW):
    """Return a receipt signed by the holder and countersigned by the firm."""
    return receipt.countersign(receipt.sign_as_holder(body(now), HOLDER), FIRM)
