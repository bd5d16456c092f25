"""Which peers end a proof exchange themselves when no ack is promised (asked once each).

Every agent loading `wallet.speedups` ends its prover's exchange itself when a request
promised no ack (`acks.py`), and says so to whoever asks: it registers the goal code
`GOAL_CODE`, which ACA-Py discloses in answer to a discover-features 2.0 query
(RFC 0557) like every protocol it speaks. A stock ACA-Py or Credo prover does not end
such an exchange: it waits in `presentation-sent` for an ack that never comes.

A verifier configured with `presentation_ack=auto` (`agent_config/verifier.yml`) asks
each peer once, by ACA-Py's own discover-features query, as soon as the connection is
active (and, for a connection made before, at its first request), and promises no ack
only to a peer that disclosed the goal code. What a peer disclosed is kept per
connection: in memory (`Peers`), and in ACA-Py's own discovery record, read once per
process. A peer only ever speaks for its own connection, and claiming the goal code
falsely only costs that peer its own ack. Until a peer has answered, its requests
promise an ack, as ACA-Py's always do.

Unnecessary once ACA-Py lets a request's sender choose `will_confirm` and provers end
their exchange when none is promised (upstream `protocols/present_proof/v2_0/`), so
that no peer needs asking.
"""

import asyncio
import functools
import logging
import re

from acapy_agent.core.event_bus import EventBus
from acapy_agent.core.goal_code_registry import GoalCodeRegistry
from acapy_agent.protocols.discovery.v2_0.manager import V20DiscoveryMgr
from acapy_agent.protocols.discovery.v2_0.models.discovery_record import (
    V20DiscoveryExchangeRecord,
)
from acapy_agent.storage.error import StorageDuplicateError, StorageNotFoundError

from .unwrap import acapy_original

GOAL_CODE = "tessera.present-proof.ends-without-ack"
ACTIVE_EVENT = re.compile("^acapy::record::connections::active$")

LOGGER = logging.getLogger(__name__)


class GoalCodes:
    """ACA-Py goal code controller: the goal codes this plugin adds (see `setup`)."""

    def __init__(self, protocol):
        """ACA-Py builds each controller with the key it was registered under."""
        self.protocol = protocol

    def determine_goal_codes(self):
        """Return the goal codes to disclose."""
        return [GOAL_CODE]


def discloses(disclosures) -> bool:
    """Return True when a disclosures message lists `GOAL_CODE` as a goal code."""
    items = getattr(disclosures, "disclosures", None) or ()
    return any(
        isinstance(item, dict)
        and item.get("feature-type") == "goal-code"
        and item.get("id") == GOAL_CODE
        for item in items
    )


class Peers:
    """What each connection's peer disclosed of `GOAL_CODE`, asked once per connection."""

    def __init__(self):
        """Start knowing nothing; the stored discovery records are read when needed."""
        self.known = {}
        self._tasks = set()

    def learn(self, connection_id, disclosures) -> bool:
        """Record what the peer on `connection_id` just disclosed; return its answer."""
        self.known[connection_id] = answer = discloses(disclosures)
        return answer

    async def ends_without_ack(self, profile, connection_id) -> bool:
        """Return whether the peer said it ends without an ack; ask it if never asked."""
        if connection_id in self.known:
            return self.known[connection_id]
        try:
            async with profile.session() as session:
                record = await V20DiscoveryExchangeRecord.retrieve_by_connection_id(
                    session, connection_id
                )
        except StorageNotFoundError:
            record = None
        except StorageDuplicateError:
            self.known[connection_id] = False  # ACA-Py's own query would fail too
            return False
        if record is not None and record.disclosures is not None:
            return self.learn(connection_id, record.disclosures)
        self.ask(profile, connection_id)
        return False

    def ask(self, profile, connection_id) -> None:
        """Send the peer a discover-features query for `GOAL_CODE` (once per connection)."""
        if connection_id in self.known:
            return
        self.known[connection_id] = False
        query = V20DiscoveryMgr(profile).create_and_send_query(
            connection_id=connection_id, query_goal_code=GOAL_CODE
        )
        task = asyncio.ensure_future(query)
        self._tasks.add(task)
        task.add_done_callback(self._asked)

    def _asked(self, task):
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOGGER.warning("Could not ask a peer whether it needs acks: %s", task.exception())


async def on_active(profile, event, *, wanted) -> None:
    """Ask a newly active connection's peer, if this agent's requests ask peers."""
    peers = profile.inject_or(Peers)
    connection_id = (event.payload or {}).get("connection_id")
    if peers is not None and connection_id and wanted(profile.settings):
        peers.ask(profile, connection_id)


def install() -> None:
    """Wrap `V20DiscoveryMgr.receive_disclose` to learn from it (never stacking)."""
    original = acapy_original(V20DiscoveryMgr, "receive_disclose")

    @functools.wraps(original)
    async def receive_disclose(self, disclose_msg, connection_id=None):
        record = await original(self, disclose_msg, connection_id)
        peers = self.profile.inject_or(Peers)
        if peers is not None and connection_id:
            peers.learn(connection_id, disclose_msg)
        return record

    V20DiscoveryMgr.receive_disclose = receive_disclose


def setup(context, *, wanted) -> None:
    """Disclose `GOAL_CODE`, keep a `Peers`, ask peers as connections become active."""
    context.inject(GoalCodeRegistry).register_controllers({"tessera": f"{__name__}.GoalCodes"})
    context.injector.bind_instance(Peers, Peers())
    context.inject(EventBus).subscribe(ACTIVE_EVENT, functools.partial(on_active, wanted=wanted))
