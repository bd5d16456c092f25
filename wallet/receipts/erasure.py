"""Erasure: ask a firm to erase what a receipt covers; track acknowledgements and delays.

Every function that depends on time takes `now` (an aware datetime).
"""

from dataclasses import dataclass

from ..terms import client
from ..terms.vocabulary import parse_duration, parse_time
from .signed import sign_message

# How long a firm has to acknowledge an erasure request (GDPR Art. 12(3): one month).
DEFAULT_GRACE = "P1M"


def retention_end(receipt):
    """Return when a receipt's retention period ends."""
    return parse_duration(receipt["retention"]).after(parse_time(receipt["issued_at"]))


def due(receipts, requested_ids, now):
    """Return receipts whose retention has ended and whose erasure was not yet requested."""
    return [r for r in receipts if r["receipt_id"] not in requested_ids and retention_end(r) <= now]


def request_erasure(holder, keys, receipt, connection_id, reason, now):
    """Person: send a signed erasure request for a receipt; return the body sent."""
    body = {
        "receipt_id": receipt["receipt_id"],
        "reason": reason,
        "requested_at": now.isoformat(timespec="seconds"),
    }
    signed = sign_message("erasure-request", body, keys.for_connection(connection_id))
    client.send(holder, connection_id, "erasure-request", signed)
    return signed


def acknowledge(firm, keys, request, now):
    """Firm: acknowledge an erasure request record (accepted on arrival) with a signed message."""
    body = {
        "receipt_id": request["receipt_id"],
        "acknowledged_at": now.isoformat(timespec="seconds"),
    }
    signed = sign_message("erasure-ack", body, keys.for_connection(request["connection_id"]))
    client.send(firm, request["connection_id"], "erasure-ack", signed, request["thread_id"])
    return signed


@dataclass(frozen=True)
class ErasureState:
    """One erasure request: to which firm, when, and whether it was acknowledged in time."""

    receipt_id: str
    connection_id: str
    requested_at: str
    acknowledged_at: str
    overdue: bool


def status(messages, now, grace=DEFAULT_GRACE):
    """Return an `ErasureState` per erasure request the person sent (holder's messages)."""
    window = parse_duration(grace, "grace period")
    acks = {
        m["receipt_id"]: m["body"]["acknowledged_at"]
        for m in messages
        if m["kind"] == "erasure-ack" and m["direction"] == "received" and m["status"] == "accepted"
    }
    states = {}
    for m in messages:
        if m["kind"] != "erasure-request" or m["direction"] != "sent":
            continue
        asked = m["body"]["requested_at"]
        acked = acks.get(m["receipt_id"], "")
        late = not acked and window.after(parse_time(asked)) < now
        states[m["receipt_id"]] = ErasureState(
            m["receipt_id"], m["connection_id"], asked, acked, late
        )
    return list(states.values())


def acknowledged(agent, now, grace=DEFAULT_GRACE):
    """Return the erasure requests the firms have acknowledged."""
    return [s for s in status(client.messages(agent), now, grace) if s.acknowledged_at]


def overdue(agent, now, grace=DEFAULT_GRACE):
    """Return the erasure requests not acknowledged within the grace period."""
    return [s for s in status(client.messages(agent), now, grace) if s.overdue]
