"""Process each DIDComm message once: remembered by sender key and message id, in the store.

ACA-Py 1.7 handles a message as often as it arrives: a replayed issue-credential message
stores the credential again, a replayed request reopens an answered exchange. Here every
decrypted message gets a key, SHA-256 of (sender verkey, or the recipient key for an
anonymous message) and its `@id` (its canonical JSON when it has none), however its
envelope was serialised. A record of type `tessera_inbound_message` in the agent's own
store says where the message got to:

- `processing` (written before the handler runs) with the run id of this agent process;
- `done` once the handler ran: the message is refused from then on (`duplicate`);
- `failed` when the handler raised: a later delivery runs it again.

A `processing` record from an earlier run means the agent died while handling it: the
message is handled again (ACA-Py's handlers find their exchange by thread, so only the
issue-credential handler's second stored copy can result, and `wallet.inbox.replay`
removes it). Within one run, a copy arriving while the first is being handled waits for
the first and shares its outcome.
"""

import asyncio
import hashlib
import json
import logging
import uuid

from acapy_agent.storage.base import BaseStorage
from acapy_agent.storage.error import StorageDuplicateError
from acapy_agent.storage.record import StorageRecord

from ..inbox.ack import DONE, DUPLICATE, FAILED, PROCESSED

LOG = logging.getLogger("tessera.inbound")
RECORD_TYPE = "tessera_inbound_message"
NEW, RETRY, SEEN = "new", "retry", "seen"


def message_key(payload, sender_verkey, recipient_verkey):
    """Return the hex key naming a message by who sent it and its id."""
    who = sender_verkey or f"anonymous-to:{recipient_verkey}"
    message_id = payload.get("@id") if isinstance(payload, dict) else None
    if not isinstance(message_id, str) or not message_id:
        message_id = (
            "sha256:"
            + hashlib.sha256(
                json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
        )
    return hashlib.sha256(f"{who}\n{message_id}".encode()).hexdigest()


def describe(payload):
    """Return a message's type and thread for the log (never its content)."""
    if not isinstance(payload, dict):
        return "a message"
    kind = str(payload.get("@type", "?"))[-80:]
    thread = payload.get("~thread")
    thid = (thread.get("thid") if isinstance(thread, dict) else None) or payload.get("@id")
    return f"{kind} (thread {str(thid)[:64]})"


class SeenMessages:
    """The replay guard of one agent process (bound in its injection context)."""

    def __init__(self, hold_before=0.0, hold_after=0.0, sleep=asyncio.sleep):
        """Prepare; `hold_*` are test-only pauses around the handler (seconds)."""
        self.run_id = uuid.uuid4().hex
        self.hold_before = hold_before
        self.hold_after = hold_after
        self._sleep = sleep
        self._inflight = {}

    async def handle(self, profile, key, dispatch, what="a message"):
        """Run `dispatch()` (True when the handler succeeded) unless `key` was processed.

        Return `processed`, `duplicate` or `failed`.
        """
        first = self._inflight.get(key)
        if first is not None:
            outcome = await asyncio.shield(first)
            LOG.warning("inbound: %s arrived again while being handled; %s", what, outcome)
            return DUPLICATE if outcome in DONE else outcome
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        outcome = FAILED
        try:
            outcome = await self._handle_once(profile, key, dispatch, what)
            return outcome
        finally:
            del self._inflight[key]
            future.set_result(outcome)

    async def _handle_once(self, profile, key, dispatch, what):
        state = await self._begin(profile, key)
        if state == SEEN:
            LOG.warning("inbound: refused %s: already processed (a replay)", what)
            return DUPLICATE
        if state == RETRY:
            LOG.warning("inbound: handling %s again: an earlier attempt did not finish", what)
        await self._hold(self.hold_before, "before", what)
        succeeded = await dispatch()
        await self._hold(self.hold_after, "after", what)
        outcome = PROCESSED if succeeded else FAILED
        await self._finish(profile, key, outcome)
        LOG.info("inbound: %s %s", outcome, what)
        return outcome

    async def _begin(self, profile, key):
        # Most messages are new: add first (one storage call), read only when it is there.
        record = StorageRecord(RECORD_TYPE, self._value("processing"), id=key)
        async with profile.session() as session:
            storage = session.inject(BaseStorage)
            try:
                await storage.add_record(record)
                return NEW
            except StorageDuplicateError:
                found = await storage.get_record(RECORD_TYPE, key)
            if json.loads(found.value).get("state") == "done":
                return SEEN
            await storage.update_record(found, self._value("processing"), {})
            return RETRY

    async def _finish(self, profile, key, outcome):
        value = self._value("done" if outcome == PROCESSED else "failed")
        async with profile.session() as session:  # replaced as is: no need to read it first
            storage = session.inject(BaseStorage)
            await storage.update_record(StorageRecord(RECORD_TYPE, value, id=key), value, {})

    async def _hold(self, seconds, when, what):
        if seconds:
            LOG.warning("inbound: holding %s %.1f s %s its handler (test)", what, seconds, when)
            await self._sleep(seconds)

    def _value(self, state):
        return json.dumps({"state": state, "run": self.run_id})
