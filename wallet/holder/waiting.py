"""What waits for the person (proof requests, offers) and their own proposals, read by id.

ACA-Py 1.7 does not index an exchange's state, so listing the requests waiting reads
every exchange record the wallet ever kept. Instead `PendingExchanges` keeps the
waiting ids from the holder's webhooks, and the pages read only those records, by id.
Each record read is checked as a listing would have filtered it (state and role): one
answered since, or whose webhook came late, is dropped by its state. One not found
(404) is not shown and leaves the index once missing for `MISSING_GRACE` seconds:
ACA-Py posts a record's webhook before its transaction commits, so a record just
announced may not be readable yet (the bench saw that at 10,000 past exchanges).
So an answered request is never shown; a waiting one could be missed only if its
webhook never came. Against that, one listing of what waits, by state:

- at unlock, once the hub listens and before the responders catch up;
- when the agent has restarted since the last listing (a dying agent's webhooks are
  lost): the first reader lists again before answering;
- every `RELIST_EVERY` seconds from the wallet's housekeeping timer (`tick`), for a
  webhook ACA-Py gave up delivering. That is the fallback: a request whose webhook was
  lost while the agent kept running shows at most that long after it arrived.

The person's own proposals (smaller answers) are few and shown for 30 days: their ids
are collected the same way (a `proposal-sent` webhook, or the listing) and filtered
when read.
"""

import datetime
import threading
import time
from urllib.parse import quote

from ..errors import AgentError
from ..flows import issue, present
from ..index.pending import PendingExchanges
from .proposals import SHOWN_FOR

PROOF, CREDENTIAL = "present_proof_v2_0", "issue_credential_v2_0"
RELIST_EVERY = 300.0
MISSING_GRACE = 30.0
PAGE = 1000  # ACA-Py answers a listing with 100 records unless asked for more (10,000 at most)


def every(records, agent, **filters):
    """Return every record `records(agent, **filters)` lists, page by page."""
    found, offset = [], 0
    while True:
        page = records(agent, **filters, limit=PAGE, offset=offset)
        found.extend(page)
        if len(page) < PAGE:
            return found
        offset += PAGE


PROPOSAL_STATES = ("proposal-sent", "abandoned")


def is_proposal(record, now):
    """Return True when a prover's record is a proposal of the person's still to show.

    That is one never answered by a request, updated within `SHOWN_FOR` of `now`.
    """
    try:
        when = datetime.datetime.fromisoformat(record.updated_at)
    except (TypeError, ValueError):
        when = None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return (
        record.role == "prover"
        and record.state in PROPOSAL_STATES
        and record.proposal is not None
        and record.request is None
        and (when is None or now - when <= SHOWN_FOR)
    )


class Waiting:
    """The holder's waiting exchanges, kept from webhooks and read by id."""

    def __init__(
        self, wall_clock, generation=lambda: 0, clock=time.monotonic, relist_every=RELIST_EVERY
    ):
        """`generation()` changes when the agent restarts; `clock` paces the relisting.

        `wall_clock()` (aware) tells which proposals are still shown.
        """
        self.index = PendingExchanges()
        self.wall_clock = wall_clock
        self.generation = generation
        self.clock = clock
        self.relist_every = relist_every
        self._proposals = set()
        self._unread = {}  # exchange id -> clock when its record was first not found
        self._lock = threading.Lock()
        self._relisting = threading.Lock()
        self._listed = None  # (generation, clock) of the last full listing; None: none yet

    def on_event(self, event):
        """Fold in one of the holder's webhooks."""
        if event.role != "holder":
            return
        self.index.on_event(event)
        payload = event.payload
        if event.topic != PROOF or not payload.get("pres_ex_id"):
            return
        whole = present.whole_record(payload)  # with by_format: a decline tells it was one
        if payload.get("state") == "proposal-sent" or (
            whole is not None and is_proposal(whole, self.wall_clock())
        ):
            with self._lock:
                self._proposals.add(payload["pres_ex_id"])

    def relist(self, agent):
        """List what waits once and start again from that (keeps webhooks meanwhile).

        Listed by state: ACA-Py still reads every record, but sends only those, and a
        listing of the few waiting ones fits in one page (ACA-Py's paging of a listing
        filtered after reading did not reach past the first 1,000 of 10,000 records).
        """
        with self._relisting:
            generation, began = self.generation(), self.clock()
            found = []

            def proofs():
                for state in ("request-received", *PROPOSAL_STATES):
                    found.extend(every(present.records, agent, role="prover", state=state))
                return [r.to_agent() for r in found]

            self.index.relist(PROOF, proofs)
            self.index.relist(
                CREDENTIAL,
                lambda: [
                    r.to_agent()
                    for r in every(issue.records, agent, role="holder", state="offer-received")
                ],
            )
            with self._lock:
                now = self.wall_clock()
                self._proposals |= {r.pres_ex_id for r in found if is_proposal(r, now)}
                self._listed = (generation, began)

    def forget(self):
        """Forget everything (at lock): the next unlock lists again."""
        with self._relisting:
            self.index.forget()
            with self._lock:
                self._proposals.clear()
                self._listed = None

    def tick(self, agent):
        """List again when the last listing is `relist_every` old; return True if it did."""
        listed = self._listed
        if listed is not None and self.clock() - listed[1] < self.relist_every:
            return False
        self.relist(agent)
        return True

    def _fresh(self, agent):
        """List first when nothing was listed yet or the agent restarted since."""
        listed = self._listed
        if listed is None or listed[0] != self.generation():
            self.relist(agent)

    def requests(self, agent):
        """Return the proof request records (`PresExchange`) waiting for the person."""
        return self._waiting(agent, PROOF, present.record, "request-received", "prover")

    def offers(self, agent):
        """Return the credential offer records (`CredExchange`) waiting for the person."""
        return self._waiting(agent, CREDENTIAL, issue.record, "offer-received", "holder")

    def _waiting(self, agent, topic, read, state, role):
        """Return the records of `topic` still in `state` with `role`, read by id."""
        self._fresh(agent)
        found = []
        for exchange_id in self.index.ids(topic):
            record = self._read(agent, topic, exchange_id, read)
            if record is not None and record.state == state and record.role == role:
                found.append(record)
        return found

    def proposals(self, agent):
        """Return the person's proposal records (`PresExchange`), waiting or declined."""
        self._fresh(agent)
        with self._lock:
            ids = sorted(self._proposals)
        found = []
        for pres_ex_id in ids:
            record = self._read(agent, PROOF, pres_ex_id, present.record)
            if record is not None and is_proposal(record, self.wall_clock()):
                found.append(record)
            else:  # answered, withdrawn, too old or gone: never shown again
                with self._lock:
                    self._proposals.discard(pres_ex_id)
        return found

    def _read(self, agent, topic, exchange_id, read):
        """Return one record by id, folded into the index; None when it vanished."""
        try:
            record = read(agent, quote(exchange_id, safe=""))
        except AgentError as exc:
            if exc.status != 404:
                raise
            self._missing(topic, exchange_id)
            return None
        with self._lock:
            self._unread.pop(exchange_id, None)
        self.index.apply(topic, record.to_agent())
        return record

    def _missing(self, topic, exchange_id):
        """A record not found: gone, or not committed yet (ACA-Py sends the webhook first).

        It is not shown; it leaves the index once it has been missing `MISSING_GRACE` s.
        """
        now = self.clock()
        with self._lock:
            since = self._unread.setdefault(exchange_id, now)
            gone = now - since >= MISSING_GRACE
            if gone:
                del self._unread[exchange_id]
        if gone:
            self.index.discard(topic, exchange_id)
