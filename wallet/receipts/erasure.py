"""Erasure bookkeeping: when retention ends, what is due, acknowledged or overdue (pure).

Every function that depends on time takes `now` (an aware datetime). Sending the
requests and acknowledgements is a flow (`wallet.flows.receipts`).
"""

from dataclasses import dataclass

from .vocabulary import parse_duration, parse_time

# How long a firm has to acknowledge an erasure request (GDPR Art. 12(3): one month).
DEFAULT_GRACE = "P1M"


def retention_end(receipt):
    """Return when a receipt's retention period ends."""
    return parse_duration(receipt["retention"]).after(parse_time(receipt["issued_at"]))


def due(receipts, requested_ids, now):
    """Return receipts whose retention has ended and whose erasure was not yet requested."""
    return [r for r in receipts if r["receipt_id"] not in requested_ids and retention_end(r) <= now]


def refusal(problem):
    """Return in words why the other party's agent refused a terms message (a problem report)."""
    if problem.get("not_supported"):
        return "the firm's agent does not use Tessera terms"
    return problem.get("explain") or problem.get("code") or "no reason given"


@dataclass(frozen=True)
class ErasureState:
    """One erasure request: to which firm, when, and whether it was acknowledged in time."""

    receipt_id: str
    connection_id: str
    requested_at: str
    acknowledged_at: str
    overdue: bool
    refused: str = ""  # why the firm's agent could not take the request ("" if it did)


def status(messages, now, grace=DEFAULT_GRACE):
    """Return an `ErasureState` per erasure request the person sent (holder's messages)."""
    window = parse_duration(grace, "grace period")
    acks = {
        m["receipt_id"]: m["body"]["acknowledged_at"]
        for m in messages
        if m["kind"] == "erasure-ack" and m["direction"] == "received" and m["status"] == "accepted"
    }
    refusals = {
        m["body"].get("refers_to"): refusal(m["body"])
        for m in messages
        if m["kind"] == "problem-report" and m["direction"] == "received"
    }
    states = {}
    for m in messages:
        if m["kind"] != "erasure-request" or m["direction"] != "sent":
            continue
        asked = m["body"]["requested_at"]
        acked = acks.get(m["receipt_id"], "")
        refused = "" if acked else refusals.get(m.get("message_id"), "")
        late = not acked and not refused and window.after(parse_time(asked)) < now
        states[m["receipt_id"]] = ErasureState(
            m["receipt_id"], m["connection_id"], asked, acked, late, refused
        )
    return list(states.values())
