"""Every recipient key the agent makes reaches the inbox before it can be used."""

import asyncio

from acapy_agent.utils.testing import create_test_profile
from acapy_agent.wallet.base import BaseWallet
from acapy_agent.wallet.did_method import SOV, DIDMethods
from acapy_agent.wallet.key_type import ED25519, X25519

from wallet.errors import AgentError
from wallet.inbound import keys
from wallet.inbound.config import InboxLink

LINK = InboxLink("http://127.0.0.1:9", "p" * 24, "control-key")


class FakeInbox:
    """Takes key registrations like the inbox's control route; `down` refuses them."""

    def __init__(self, down=0):
        """Refuse the first `down` calls as an unreachable inbox would."""
        self.down = down
        self.keys = []

    async def __call__(self, url, control_key, person_id, kids):
        """Register `kids`, or fail like an inbox that does not answer."""
        assert (url, control_key, person_id) == (LINK.url, LINK.control_key, LINK.person_id)
        if self.down:
            self.down -= 1
            raise AgentError("POST", url, None, "ConnectError")
        self.keys += kids
        return {"added": len(kids)}


async def no_wait(seconds):
    await asyncio.sleep(0)


def run(scenario):
    async def main():
        profile = await create_test_profile({"wallet.type": "askar-anoncreds"})
        profile.context.injector.bind_instance(DIDMethods, DIDMethods())
        try:
            return await scenario(profile)
        finally:
            await profile.close()

    return asyncio.run(main())


def test_a_new_key_is_registered_before_the_wallet_returns_it():
    inbox = FakeInbox()
    keys.install()

    async def scenario(profile):
        profile.context.injector.bind_instance(keys.KeyRegistrar, keys.KeyRegistrar(LINK, inbox))
        async with profile.session() as session:
            wallet = session.inject(BaseWallet)
            key = await wallet.create_key(ED25519)
            assert inbox.keys == [key.verkey]  # registered by the time it is returned
            did = await wallet.create_local_did(SOV, ED25519)
            signing = await wallet.create_signing_key(ED25519)
        return [key.verkey, did.verkey, signing.verkey]

    assert inbox.keys == run(scenario)


def test_keys_the_inbox_missed_are_retried_until_registered():
    inbox = FakeInbox(down=3)

    async def scenario(profile):
        registrar = keys.KeyRegistrar(LINK, inbox, sleep=no_wait)
        await registrar.register(["k1" * 20])  # the inbox is down: kept, retried
        await registrar.register(["k2" * 20])
        return await registrar.settled()

    assert run(scenario) is True
    assert sorted(inbox.keys) == ["k1" * 20, "k2" * 20]


def test_at_start_every_signing_key_is_offered_and_no_other():
    inbox = FakeInbox()

    async def scenario(profile):
        async with profile.session() as session:
            wallet = session.inject(BaseWallet)
            made = [(await wallet.create_key(ED25519)).verkey for _ in range(3)]
            await wallet.create_key(X25519)
        await keys.KeyRegistrar(LINK, inbox).register_all(profile)
        return made

    made = run(scenario)
    assert sorted(inbox.keys) == sorted(made)


def test_without_an_inbox_making_a_key_registers_nothing():
    keys.install()

    async def scenario(profile):
        async with profile.session() as session:
            return await session.inject(BaseWallet).create_key(ED25519)

    assert run(scenario).verkey
