"""The person's consent receipts: issue one after a presentation, list, link to the history,
and ask for erasure (by hand, or when a receipt's retention has ended)."""

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from .. import durable
from ..errors import AgentError, InputError, NotFound
from ..flows import present
from ..flows import receipts as flow
from ..flows import terms as client
from ..flows.negotiation import agreed_terms
from ..receipts import erasure
from ..receipts.keys import KeyRing
from ..receipts.receipt import ReceiptError, verify_party

LINKS = "receipt-links.json"
# The approve path, the rules and the owed-receipts sweep may issue for one presentation
# at once: each looks for a receipt already sent and issues under this lock.
_ISSUING = threading.Lock()


def keys(data_dir):
    """Return the person's pairwise receipt `KeyRing`.

    Its master secret lives with the wallet's own data, not with the machine's
    secrets: it is the person's, so it travels in backups and firms can still check
    the signatures of erasure requests about older receipts after a restore.
    """
    return KeyRing(Path(data_dir) / "keys", "holder")


def terms_messages(agent, **filters):
    """Return terms messages; none when the agent does not carry the terms plugin."""
    try:
        return client.messages(agent, **filters)
    except AgentError as exc:
        if exc.status == 404:
            return []
        raise


def issue(agent, data_dir, record, now):
    """Sign and send the receipt of a presentation made under agreed terms; None without terms.

    Issued once per presentation: when a receipt for its thread was sent already (before
    a crash, or by another path just now), that receipt is returned and none is signed.
    `record` is the exchange after sending; it is read again only if it lacks the presentation.
    """
    connection_id = record.connection_id
    if not connection_id or not terms_messages(agent, connection_id=connection_id, kind="offer"):
        return None
    if agreed_terms(agent, connection_id, record.thread_id) is None:
        return None
    with _ISSUING:
        earlier = receipt_sent(agent, connection_id, record.thread_id)
        if earlier is not None:
            return earlier
        sent = record if record.presentation else present.record(agent, record.pres_ex_id)
        return flow.issue_receipt(agent, keys(data_dir), sent, now)


def receipt_sent(agent, connection_id, proof_thread_id):
    """Return the receipt this wallet sent for a presentation's thread, or None."""
    for message in terms_messages(agent, connection_id=connection_id, kind="receipt"):
        receipt = (message.get("body") or {}).get("receipt") or {}
        if message["direction"] == "sent" and receipt.get("proof_thread_id") == proof_thread_id:
            return receipt
    return None


def entry_key(entry):
    """Return the key a history entry is linked to its receipt by (no value is part of it).

    Entries have a unique id; older ones (without) are keyed by what they say, which
    two answers to the same request in the same second share.
    """
    if getattr(entry, "id", ""):
        return f"id:{entry.id}"
    text = f"{entry.when}|{entry.to}|{entry.request_name}|{','.join(entry.revealed)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


LINKS_ADVICE = (
    "the history shows no receipt links until you fix it and move it back (the receipts "
    "themselves are kept by the wallet's agent)."
)


def links(data_dir):
    """Return {history entry key: receipt id}; a corrupt file is set aside (`CorruptFile`)."""
    return durable.read_json(Path(data_dir) / LINKS, missing={}, advice=LINKS_ADVICE)


def link(data_dir, entry, receipt_id):
    """Remember that a history entry has a receipt (owner-only, locked read-modify-write)."""
    key = entry_key(entry)
    durable.update_json(
        Path(data_dir) / LINKS,
        lambda found: {**found, key: receipt_id},
        missing={},
        advice=LINKS_ADVICE,
    )


def signature_status(receipt, party):
    """Return "valid", or why the party's signature is missing or fails."""
    try:
        verify_party(receipt, party)
    except ReceiptError as exc:
        return str(exc)
    return "valid"


@dataclass(frozen=True)
class Held:
    """One receipt the person signed: countersigned or not, and its erasure state."""

    receipt: dict
    connection_id: str
    countersigned: bool
    erasure: object = None

    @property
    def receipt_id(self):
        """Return the receipt's id."""
        return self.receipt["receipt_id"]

    def to_json(self):
        """Return the API form: the receipt, its signatures' status, the erasure state."""
        state = self.erasure
        return {
            "receipt": self.receipt,
            "connection_id": self.connection_id,
            "countersigned": self.countersigned,
            "signatures": {p: signature_status(self.receipt, p) for p in ("holder", "firm")},
            "erasure": None
            if state is None
            else {
                "requested_at": state.requested_at,
                "acknowledged_at": state.acknowledged_at,
                "overdue": state.overdue,
                "refused": state.refused,
            },
        }


def held(agent, now):
    """Return the receipts the person signed, newest first."""
    messages = terms_messages(agent)
    signed = {
        m["receipt_id"]: m
        for m in messages
        if m["kind"] == "receipt" and m["direction"] == "sent" and m["status"] == "accepted"
    }
    counter = {
        m["receipt_id"]: m["body"]["receipt"]
        for m in messages
        if m["kind"] == "countersigned"
        and m["direction"] == "received"
        and m["status"] == "accepted"
    }
    states = {s.receipt_id: s for s in erasure.status(messages, now)}
    rows = [
        Held(
            counter.get(rid, m["body"]["receipt"]),
            m["connection_id"],
            rid in counter,
            states.get(rid),
        )
        for rid, m in signed.items()
    ]
    return sorted(rows, key=lambda r: r.receipt["issued_at"], reverse=True)


def one(agent, receipt_id, now):
    """Return the `Held` receipt `receipt_id`, or NotFound."""
    for row in held(agent, now):
        if row.receipt_id == receipt_id:
            return row
    raise NotFound(f"No receipt {receipt_id} in this wallet; see the Receipts page.")


def request_erasure(agent, data_dir, receipt_id, now, reason="person-asked"):
    """Ask the firm of a countersigned receipt to erase what it covers; return the body sent."""
    row = one(agent, receipt_id, now)
    if not row.countersigned:
        raise InputError(
            "The firm has not countersigned this receipt yet, so it cannot be asked to erase; "
            "try again once it has."
        )
    if row.erasure is not None:
        raise InputError(f"Erasure was already requested on {row.erasure.requested_at}.")
    return flow.request_erasure(agent, keys(data_dir), row.receipt, row.connection_id, reason, now)


def request_due(agent, data_dir, now):
    """Ask for erasure of every countersigned receipt whose retention has ended; return ids."""
    rows = [r for r in held(agent, now) if r.countersigned]
    asked = {r.receipt_id for r in rows if r.erasure is not None}
    due = erasure.due([r.receipt for r in rows], asked, now)
    by_id = {r.receipt_id: r for r in rows}
    for receipt in due:
        row = by_id[receipt["receipt_id"]]
        flow.request_erasure(
            agent, keys(data_dir), row.receipt, row.connection_id, "retention-ended", now
        )
    return [r["receipt_id"] for r in due]
