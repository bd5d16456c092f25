"""The exchanges waiting for the person, tracked from webhooks instead of listed.

`state` is not an indexed tag in ACA-Py 1.7, so listing the proof requests or offers
waiting for an answer reads every exchange record the wallet ever kept. A
`PendingExchanges` is filled once (at unlock, from one listing) and then kept by the
holder's webhooks: an exchange enters when its record reaches a waiting state and
leaves with any other state. Webhooks for one record may arrive out of order, so a
record's state is taken only if its `updated_at` is not older than the one known.
"""

import threading
from dataclasses import dataclass

WAITING = {
    "present_proof_v2_0": ("pres_ex_id", frozenset({"request-received"})),
    "issue_credential_v2_0": ("cred_ex_id", frozenset({"offer-received"})),
}


@dataclass(frozen=True)
class Pending:
    """One exchange waiting for the person: its topic, id, connection and thread."""

    topic: str
    exchange_id: str
    connection_id: str | None
    thread_id: str | None
    updated_at: str


class PendingExchanges:
    """The ids of exchanges waiting for the person, by topic."""

    def __init__(self):
        """Start empty (fill with `reset` or webhooks)."""
        self._lock = threading.Lock()
        self._waiting = {topic: {} for topic in WAITING}
        self._seen = {}  # (topic, id) -> updated_at of the newest state taken

    def reset(self, topic, records):
        """Replace what is known of `topic` with a full listing of its records."""
        with self._lock:
            self._waiting[topic] = {}
            for key in [k for k in self._seen if k[0] == topic]:
                del self._seen[key]
        for record in records:
            self.apply(topic, record)

    def apply(self, topic, record):
        """Fold one record (a webhook payload or a listed record) in; return True if taken."""
        if topic not in WAITING:
            return False
        id_field, states = WAITING[topic]
        exchange_id = record.get(id_field)
        if not exchange_id:
            return False
        updated = record.get("updated_at") or ""
        with self._lock:
            if updated < self._seen.get((topic, exchange_id), ""):
                return False  # an older event arriving late
            self._seen[(topic, exchange_id)] = updated
            if record.get("state") in states:
                self._waiting[topic][exchange_id] = Pending(
                    topic,
                    exchange_id,
                    record.get("connection_id"),
                    record.get("thread_id"),
                    updated,
                )
            else:
                self._waiting[topic].pop(exchange_id, None)
        return True

    def on_event(self, event):
        """Webhook hub listener: fold in the holder's exchange events."""
        self.apply(event.topic, event.payload)

    def waiting(self, topic):
        """Return the waiting exchanges of `topic`, oldest first."""
        with self._lock:
            found = list(self._waiting[topic].values())
        return sorted(found, key=lambda p: (p.updated_at, p.exchange_id))

    def ids(self, topic):
        """Return the ids of the waiting exchanges of `topic`, oldest first."""
        return [p.exchange_id for p in self.waiting(topic)]
