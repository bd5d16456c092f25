"""The hosted inbox: every person's queue in PostgreSQL, delivered by the instance holding them.

`PgInboxStore` has the interface of `wallet.inbox.store.InboxStore`, so the inbox's own
`Inbox`, `Deliverer` and guarded `InboxServer` run on it unchanged. Any instance (or a
stand-alone inbox face) takes a firm's envelope for anybody: it is stored in PostgreSQL
(202 only once committed) and announced with `NOTIFY`. Only the instance where the person
is logged in has a delivery target for them (their agent's loopback port); for everyone
else delivery is held, so a logged-out person's messages wait in the database and go to
their agent, in order and once confirmed processed, at their next login, wherever it is.
"""

import json
import logging
import threading
import time

import psycopg

from ..inbox.errors import QuotaExceeded, UnknownPerson, UnknownRecipient
from ..inbox.ids import check_kids, check_person_id, check_target
from ..inbox.pending import Pending
from ..inbox.store import Limits, Queued

LOG = logging.getLogger("tessera.inbox")
CHANNEL = "tessera_inbox"
_SUFFIX = {"application/ssi-agent-wire": "wire", "application/didcomm-envelope-enc": "enc"}


def item_name(seq, digest, content_type):
    """Return the delivery id of a queued envelope (as the file store names it)."""
    return Queued(seq, digest, content_type, 0).name


class PgInboxStore:
    """Durable queues in PostgreSQL; delivery targets only for people open on this instance."""

    def __init__(self, db, limits=None, clock=time.time):
        """Use `db`; `limits` caps queues per person and per recipient key."""
        self.db = db
        self.limits = limits or Limits()
        self.clock = clock
        self._local = {}  # inbox id -> {"deliver_to": URL, "held": bool}
        self._lock = threading.Lock()

    def _known(self, conn, person_id):
        check_person_id(person_id)
        row = conn.execute(
            "SELECT held FROM inbox_people WHERE inbox_id = %s", (person_id,)
        ).fetchone()
        if row is None:
            raise UnknownPerson("No inbox has that id; check the endpoint URL.")
        return row

    # People

    def register(self, person_id, deliver_to):
        """Deliver the person's envelopes to `deliver_to` (their agent, on this instance)."""
        check_target(deliver_to)
        with self.db.connection() as conn:
            self._known(conn, person_id)
        with self._lock:
            local = self._local.setdefault(person_id, {"held": True})
            local["deliver_to"] = deliver_to
        return person_id

    def forget(self, person_id):
        """Stop delivering to the person here (logged out): their envelopes wait in the database."""
        with self._lock:
            self._local.pop(person_id, None)

    def register_keys(self, person_id, kids):
        """Add the person's recipient keys; return (added, total)."""
        kids = check_kids(kids)
        with self.db.transaction() as conn:
            self._known(conn, person_id)
            total = conn.execute(
                "SELECT count(*) FROM inbox_keys WHERE inbox_id = %s", (person_id,)
            ).fetchone()[0]
            if total + len(kids) > self.limits.max_keys:
                raise QuotaExceeded(
                    f"This inbox holds at most {self.limits.max_keys} recipient keys per person."
                )
            added = 0
            for kid in kids:
                added += conn.execute(
                    "INSERT INTO inbox_keys (inbox_id, kid) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    (person_id, kid),
                ).rowcount
        return added, total + added

    def keys(self, person_id):
        """Return the person's registered recipient keys."""
        rows = self.db.rows("SELECT kid FROM inbox_keys WHERE inbox_id = %s", (person_id,))
        return {row[0] for row in rows}

    def people(self):
        """Return the people this instance delivers to (logged in here)."""
        with self._lock:
            return sorted(self._local)

    def target(self, person_id):
        """Return the URL of the person's agent on this instance."""
        with self._lock:
            local = self._local.get(person_id)
        if local is None or "deliver_to" not in local:
            raise UnknownPerson("That person is not logged in on this instance.")
        return local["deliver_to"]

    def held(self, person_id):
        """Return True unless the person is logged in here and delivery is released."""
        with self._lock:
            local = self._local.get(person_id)
            return local is None or local["held"]

    def set_held(self, person_id, held):
        """Hold or release delivery here (a person not logged in here stays held)."""
        with self._lock:
            local = self._local.get(person_id)
            if local is not None:
                local["held"] = bool(held)

    # Envelopes

    def accept(self, person_id, envelope):
        """Queue an envelope durably; return (Queued, True), or (None, False) for a duplicate."""
        try:
            with self.db.transaction() as conn:
                self._known(conn, person_id)
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (person_id,))
                kid = self._kid(conn, person_id, envelope)
                dup = conn.execute(
                    "SELECT 1 FROM inbox_delivered WHERE inbox_id = %s AND digest = %s "
                    "UNION ALL SELECT 1 FROM inbox_queue WHERE inbox_id = %s AND digest = %s",
                    (person_id, envelope.digest, person_id, envelope.digest),
                ).fetchone()
                if dup:
                    return None, False
                self._check_quota(conn, person_id, kid, envelope.size)
                seq = conn.execute(
                    "INSERT INTO inbox_queue (inbox_id, digest, content_type, kid, size, body) "
                    "VALUES (%s, %s, %s, %s, %s, %s) RETURNING seq",
                    (
                        person_id,
                        envelope.digest,
                        envelope.content_type,
                        kid,
                        envelope.size,
                        envelope.body,
                    ),
                ).fetchone()[0]
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, person_id))
        except psycopg.errors.UniqueViolation:
            return None, False
        return Queued(seq, envelope.digest, envelope.content_type, envelope.size, kid), True

    @staticmethod
    def _kid(conn, person_id, envelope):
        rows = conn.execute(
            "SELECT kid FROM inbox_keys WHERE inbox_id = %s AND kid = ANY(%s)",
            (person_id, list(envelope.kids)),
        ).fetchall()
        found = {row[0] for row in rows}
        kid = next((k for k in envelope.kids if k in found), None)
        if kid is None:
            raise UnknownRecipient(
                "This inbox holds no recipient key the envelope is addressed to; "
                "check the connection's endpoint and keys."
            )
        return kid

    def _check_quota(self, conn, person_id, kid, size):
        limits = self.limits
        count, total, mine, mine_bytes = conn.execute(
            "SELECT count(*), coalesce(sum(size), 0), count(*) FILTER (WHERE kid = %s), "
            "coalesce(sum(size) FILTER (WHERE kid = %s), 0) FROM inbox_queue WHERE inbox_id = %s",
            (kid, kid, person_id),
        ).fetchone()
        if count + 1 > limits.max_count or total + size > limits.max_bytes:
            raise QuotaExceeded(
                f"This inbox is full ({count} envelopes, {total} bytes waiting); the person "
                "must log in before it takes more. Retry later."
            )
        if mine + 1 > limits.per_key_count or mine_bytes + size > limits.per_key_bytes:
            raise QuotaExceeded(
                f"This connection's share of the inbox is full ({mine} envelopes for its key "
                "wait); the person must log in before it takes more. Retry later."
            )

    def pending(self, person_id):
        """Return the waiting envelopes in arrival order."""
        rows = self.db.rows(
            "SELECT seq, digest, content_type, size, kid FROM inbox_queue WHERE inbox_id = %s "
            "ORDER BY seq",
            (person_id,),
        )
        return [Queued(*row) for row in rows]

    def stats(self, person_id):
        """Return how many envelopes wait, their bytes, and how many failed."""
        with self.db.connection() as conn:
            self._known(conn, person_id)
            count, total, failed = conn.execute(
                "SELECT count(*), coalesce(sum(size), 0), count(failure) FROM inbox_queue "
                "WHERE inbox_id = %s",
                (person_id,),
            ).fetchone()
        return Pending(count, int(total), failed)

    def read(self, person_id, item):
        """Return the bytes of a waiting envelope."""
        row = self.db.one(
            "SELECT body FROM inbox_queue WHERE inbox_id = %s AND seq = %s", (person_id, item.seq)
        )
        if row is None:
            raise UnknownPerson("That envelope is no longer queued.")
        return bytes(row[0])

    def mark_delivered(self, person_id, item):
        """Record `item` delivered and drop it from the queue, in one transaction."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO inbox_delivered (inbox_id, digest) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING",
                (person_id, item.digest),
            )
            conn.execute(
                "DELETE FROM inbox_queue WHERE inbox_id = %s AND seq = %s", (person_id, item.seq)
            )

    def failure(self, person_id, item):
        """Return the failure record of `item` (dict) or None."""
        row = self.db.one(
            "SELECT failure FROM inbox_queue WHERE inbox_id = %s AND seq = %s",
            (person_id, item.seq),
        )
        return None if row is None else row[0]

    def record_failure(self, person_id, item, status, reason, backoff):
        """Note a rejected delivery; the next try waits `backoff(attempts)` seconds."""
        record = dict(self.failure(person_id, item) or {"attempts": 0})
        record["attempts"] += 1
        record["status"] = status
        record["reason"] = str(reason)[:300]
        record["at"] = self.clock()
        record["next_at"] = record["at"] + backoff(record["attempts"])
        self.db.run(
            "UPDATE inbox_queue SET failure = %s WHERE inbox_id = %s AND seq = %s",
            (json.dumps(record), person_id, item.seq),
        )
        return record
