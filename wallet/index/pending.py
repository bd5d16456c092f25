"""The exchanges waiting for the person, tracked from webhooks instead of listed.

`state` is not an indexed tag in ACA-Py 1.7, so listing the proof requests or offers
waiting for an answer reads every exchange record the wallet ever kept. A
`PendingExchanges` is filled once (at unlock, from one listing) and then kept by the
holder's webhooks: an exchange enters when its record reaches a waiting state and
leaves with any other state. Webhooks for one record may arrive out of order, so a
record's state is taken only if its `updated_at` is not older than the one known.
A listing taken while webhooks keep arriving (`relist`) keeps what arrived meanwhile:
the listing replaces what was known before it began, not what came during it.
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
        self._journals = {topic: [] for topic in WAITING}  # records seen during relistings

    def reset(self, topic, records):
        """Replace what is known of `topic` with a full listing of its records."""
        with self._lock:
            self._replace(topic, records)

    def relist(self, topic, listing):
        """Replace what is known of `topic` with `listing()`, keeping what arrives meanwhile.

        Webhooks keep being folded in while the listing runs; the listing then replaces
        everything, and those webhooks are folded in again on top (by `updated_at`), so
        a request that arrived or was answered during the listing is not lost.
        """
        journal = []
        with self._lock:
            self._journals[topic].append(journal)
        try:
            records = list(listing())
        except BaseException:
            with self._lock:
                self._journals[topic].remove(journal)
            raise
        with self._lock:
            self._journals[topic].remove(journal)
            self._replace(topic, [*records, *journal])

    def forget(self):
        """Forget everything (at lock)."""
        with self._lock:
            for topic in WAITING:
                self._waiting[topic] = {}
            self._seen.clear()

    def apply(self, topic, record):
        """Fold one record (a webhook payload or a listed record) in; return True if taken."""
        if topic not in WAITING:
            return False
        with self._lock:
            for journal in self._journals[topic]:
                journal.append(record)
            return self._apply(topic, record)

    def _replace(self, topic, records):
        self._waiting[topic] = {}
        for key in [k for k in self._seen if k[0] == topic]:
            del self._seen[key]
        for record in records:
            self._apply(topic, record)

    def _apply(self, topic, record):
        id_field, states = WAITING[topic]
        exchange_id = record.get(id_field)
        if not exchange_id:
            return False
        updated = record.get("updated_at") or ""
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

    def discard(self, topic, exchange_id):
        """Forget an exchange whose record vanished (deleted from the agent)."""
        with self._lock:
            self._waiting[topic].pop(exchange_id, None)

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
