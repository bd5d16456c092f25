"""Terms-protocol messages sent and received, kept in the agent's own wallet storage."""

import datetime
import json
import uuid

from acapy_agent.storage.base import BaseStorage
from acapy_agent.storage.record import StorageRecord

RECORD_TYPE = "tessera_terms_message"
TAGS = (
    "connection_id",
    "thread_id",
    "message_id",
    "kind",
    "direction",
    "status",
    "receipt_id",
    "delivery",
)


def new_record(*, kind, direction, connection_id, thread_id, message_id, body, reason=""):
    """Return a message record (a dict) ready to store."""
    receipt = body.get("receipt") if isinstance(body, dict) else None
    receipt_id = body.get("receipt_id") if isinstance(body, dict) else None
    if isinstance(receipt, dict):
        receipt_id = receipt.get("receipt_id")
    return {
        "record_id": str(uuid.uuid4()),
        "kind": kind,
        "direction": direction,
        "connection_id": connection_id,
        "thread_id": thread_id,
        "message_id": message_id,
        "receipt_id": receipt_id if isinstance(receipt_id, str) else "",
        "body": body,
        "status": "rejected" if reason else "accepted",
        "reason": reason,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
    }


async def save(session, record):
    """Store a message record."""
    tags = {k: str(record.get(k) or "") for k in TAGS}
    storage = session.inject(BaseStorage)
    await storage.add_record(
        StorageRecord(RECORD_TYPE, json.dumps(record), tags, record["record_id"])
    )
    return record


async def update(session, record):
    """Store a changed message record (its tags follow its fields)."""
    tags = {k: str(record.get(k) or "") for k in TAGS}
    storage = session.inject(BaseStorage)
    stored = await storage.get_record(RECORD_TYPE, record["record_id"])
    await storage.update_record(stored, json.dumps(record), tags)
    return record


async def find(session, **filters):
    """Return stored message records matching tag `filters`, oldest first."""
    query = {k: str(v) for k, v in filters.items() if k in TAGS and v not in (None, "")}
    storage = session.inject(BaseStorage)
    found = await storage.find_all_records(RECORD_TYPE, query)
    records = [json.loads(r.value) for r in found]
    return sorted(records, key=lambda r: r["created_at"])


async def receipt_held(session, connection_id, receipt_id, kind, direction):
    """Return the receipt of an accepted `kind` message on a connection, or None."""
    found = await find(
        session,
        connection_id=connection_id,
        receipt_id=receipt_id,
        kind=kind,
        direction=direction,
        status="accepted",
    )
    return found[-1]["body"]["receipt"] if found else None
