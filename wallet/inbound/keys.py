"""Tell the person's inbox every recipient key the agent makes, before a firm can use it.

The inbox takes only envelopes addressed to keys registered for the person, so a key
must be registered before anyone can encrypt to it. Every key the agent makes passes
through `AskarWallet.create_key` or `create_local_did` (did:peer connections, invitation
keys, local DIDs); both are wrapped so that the new key is registered with the inbox
before the call returns, that is before the key is put in any message or invitation.
At start (once the inbound transport listens) every Ed25519 key in the store is
registered again, which also tells the inbox the agent is up to take deliveries.

The inbox may be down for a moment (it is supervised and back within seconds): keys that
could not be registered are retried in the background until they are.
"""

import asyncio
import functools
import logging

from acapy_agent.wallet.askar import AskarWallet
from aries_askar import KeyAlg

from ..errors import AgentError
from ..inbox.client import register_keys_async

LOG = logging.getLogger("tessera.inbound")
BATCH = 500
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)


class KeyRegistrar:
    """Registers recipient keys with one person's inbox; keeps what failed for a retry."""

    def __init__(self, link, post=register_keys_async, sleep=asyncio.sleep):
        """Use `link` (an `InboxLink`); `post(url, key, person, kids)` makes the call."""
        self.link = link
        self._post = post
        self._sleep = sleep
        self._pending = set()
        self._lock = asyncio.Lock()
        self._retry = None

    async def register(self, kids):
        """Register `kids` now; on failure keep them for the background retry. Never raises."""
        self._pending.update(k for k in kids if k)
        if not await self.flush():
            self._start_retry()

    async def flush(self):
        """Send every pending key; return True when none is left."""
        async with self._lock:
            while self._pending:
                batch = sorted(self._pending)[:BATCH]
                try:
                    link = self.link
                    await self._post(link.url, link.control_key, link.person_id, batch)
                except AgentError as exc:
                    LOG.warning(
                        "inbound: could not register %d recipient keys with the inbox (%s); "
                        "retrying",
                        len(self._pending),
                        exc,
                    )
                    return False
                self._pending.difference_update(batch)
            return True

    async def settled(self):
        """Wait for a background retry to finish; return True when no key is pending."""
        if self._retry is not None:
            await self._retry
        return not self._pending

    def _start_retry(self):
        if self._retry is None or self._retry.done():
            self._retry = asyncio.get_running_loop().create_task(self._retry_until_done())

    async def _retry_until_done(self):
        attempt = 0
        while True:
            await self._sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            if await self.flush():
                LOG.info("inbound: recipient keys registered with the inbox after a retry")
                return
            attempt += 1

    async def register_all(self, profile):
        """Register every Ed25519 key the agent's store holds (at start)."""
        async with profile.session() as session:
            entries = await session.handle.fetch_all_keys(alg=KeyAlg.ED25519)
        kids = [entry.name for entry in entries]
        await self.register(kids)
        LOG.info("inbound: %d recipient keys offered to the inbox at start", len(kids))


def install():
    """Wrap the wallet's key-making methods so each new key is registered (idempotent)."""
    for name in ("create_key", "create_local_did"):
        current = getattr(AskarWallet, name)
        original = getattr(current, "__wrapped__", current)
        setattr(AskarWallet, name, _registering(original))


def _registering(method):
    @functools.wraps(method)
    async def made_key(self, *args, **kwargs):
        info = await method(self, *args, **kwargs)
        registrar = self._session.inject_or(KeyRegistrar)
        if registrar is not None:
            await registrar.register([info.verkey])
        return info

    return made_key
