"""The replay guard: a message is processed once, whatever its envelope; crashes retried."""

import asyncio

import pytest
from acapy_agent.utils.testing import create_test_profile

from wallet.inbound.seen import SeenMessages, message_key

MESSAGE = {"@id": "4f6c-id", "@type": "https://didcomm.org/issue-credential/2.0/offer-credential"}


def run(scenario):
    """Run `scenario(profile)` on a fresh in-memory agent store."""

    async def main():
        profile = await create_test_profile({"wallet.type": "askar-anoncreds"})
        try:
            return await scenario(profile)
        finally:
            await profile.close()

    return asyncio.run(main())


class Handler:
    """Counts how often the message's handler ran; `fail` makes it report a failure."""

    def __init__(self, fail=False, gate=None):
        """Succeed (or fail); wait for `gate` (an asyncio.Event) first when given."""
        self.fail, self.gate, self.runs = fail, gate, 0
        self.started = asyncio.Event()

    async def __call__(self):
        """Handle the message once."""
        self.runs += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return not self.fail


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ((MESSAGE, "sender", "me"), (dict(MESSAGE), "sender", "me"), True),
        ((MESSAGE, "sender", "me"), ({**MESSAGE, "extra": 1}, "sender", "me-too"), True),
        ((MESSAGE, "sender", "me"), (MESSAGE, "another-sender", "me"), False),
        ((MESSAGE, None, "me"), (MESSAGE, None, "me"), True),
        ((MESSAGE, None, "me"), (MESSAGE, None, "my-other-key"), False),
        (({"a": 1}, "s", "me"), ({"a": 1}, "s", "me"), True),  # no @id: by content
        (({"a": 1}, "s", "me"), ({"a": 2}, "s", "me"), False),
    ],
)
def test_a_message_is_known_by_its_sender_and_id(one, other, same):
    assert (message_key(*one) == message_key(*other)) is same


def test_a_processed_message_is_refused_after_that():
    async def scenario(profile):
        guard, handler = SeenMessages(), Handler()
        first = await guard.handle(profile, "k1", handler)
        again = await guard.handle(profile, "k1", handler)
        later = await SeenMessages().handle(profile, "k1", handler)  # the agent restarted
        return first, again, later, handler.runs

    assert run(scenario) == ("processed", "duplicate", "duplicate", 1)


def test_a_failed_handler_is_run_again_on_the_next_delivery():
    async def scenario(profile):
        guard = SeenMessages()
        failed = await guard.handle(profile, "k2", Handler(fail=True))
        handler = Handler()
        retried = await guard.handle(profile, "k2", handler)
        return failed, retried, handler.runs

    assert run(scenario) == ("failed", "processed", 1)


def test_a_message_interrupted_in_an_earlier_run_is_handled_again():
    async def scenario(profile):
        dead, interrupted = SeenMessages(), Handler(gate=asyncio.Event())
        task = asyncio.ensure_future(dead.handle(profile, "k3", interrupted))
        await interrupted.started.wait()  # its record says "processing"; the agent dies
        task.cancel()
        handler = Handler()
        outcome = await SeenMessages().handle(profile, "k3", handler)
        return outcome, handler.runs

    assert run(scenario) == ("processed", 1)


def test_a_copy_arriving_during_handling_waits_and_is_not_handled():
    async def scenario(profile):
        guard, gate = SeenMessages(), asyncio.Event()
        handler = Handler(gate=gate)
        first = asyncio.ensure_future(guard.handle(profile, "k4", handler))
        await handler.started.wait()
        second = asyncio.ensure_future(guard.handle(profile, "k4", handler))
        await asyncio.sleep(0)  # let the copy arrive while the first is being handled
        gate.set()
        return await first, await second, handler.runs

    assert run(scenario) == ("processed", "duplicate", 1)


def test_the_test_holds_wait_around_the_handler():
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    async def scenario(profile):
        guard = SeenMessages(hold_before=3.0, hold_after=4.0, sleep=sleep)
        return await guard.handle(profile, "k5", Handler())

    assert run(scenario) == "processed"
    assert slept == [3.0, 4.0]
