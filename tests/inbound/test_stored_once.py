"""An exchange's credential is stored once, however often its issue message is processed."""

import asyncio
import hashlib
import inspect
from types import SimpleNamespace

import pytest
from acapy_agent.protocols.issue_credential.v2_0.formats.anoncreds.handler import (
    AnonCredsCredFormatHandler,
)

from wallet.inbound import stored_once

# The function wrapped; if this pin fails, re-read ACA-Py's store_credential and check
# the wrapper still completes the detail record as it does, then update the pin.
STORE_PIN = "b8cca333a824ae198ca56b6a8e574b5a6ea2022ec96e5671821c71544c27eb83"
ISSUED = {"cred_def_id": "cd-1", "rev_reg_id": "rr-1", "cred_rev_id": "7"}


def test_acapy_store_credential_is_the_one_wrapped():
    source = inspect.getsource(inspect.unwrap(AnonCredsCredFormatHandler.store_credential))
    assert hashlib.sha256(source.encode()).hexdigest() == STORE_PIN


def test_the_wrapper_is_installed_once():
    stored_once.install()
    stored_once.install()
    wrapper = AnonCredsCredFormatHandler.__dict__["store_credential"]
    assert wrapper.tessera_stored_once
    assert not getattr(wrapper.__wrapped__, "tessera_stored_once", False)


class Detail:
    """The exchange's AnonCreds detail record."""

    def __init__(self):
        self.cred_id_stored = self.rev_reg_id = self.cred_rev_id = None
        self.saved = 0

    async def save(self, session, reason, event):
        self.saved += 1


class Session:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


class Handler:
    """A format handler: what the wrapper uses of ACA-Py's."""

    def __init__(self, detail):
        self.profile = SimpleNamespace(session=Session)
        self.detail = detail

    async def get_detail_record(self, cred_ex_id):
        return self.detail


def _record():
    attach = SimpleNamespace(attachment=lambda fmt: ISSUED)
    return SimpleNamespace(cred_ex_id="cx-1", cred_issue=attach)


@pytest.mark.parametrize(
    ("given", "already", "stored_as", "detail_id"),
    [
        (None, False, stored_once.stored_id("cx-1"), None),  # first try: ACA-Py stores
        (None, True, None, stored_once.stored_id("cx-1")),  # again: not stored twice
        ("chosen", False, "chosen", None),  # the controller's id is kept
        ("chosen", True, None, "chosen"),
    ],
)
def test_a_credential_already_stored_is_not_stored_again(
    monkeypatch, given, already, stored_as, detail_id
):
    calls = []

    async def store(self, record, cred_id=None):
        calls.append(cred_id)

    async def held(profile, cred_id):
        return already

    monkeypatch.setattr(stored_once, "_held", held)
    detail = Detail()
    wrapped = stored_once._stored_once(store)
    asyncio.run(wrapped(Handler(detail), _record(), given))
    assert calls == ([stored_as] if stored_as else [])
    assert detail.cred_id_stored == detail_id
    if detail_id:
        assert (detail.rev_reg_id, detail.cred_rev_id, detail.saved) == ("rr-1", "7", 1)


def test_the_stored_id_is_the_same_for_every_try_and_differs_by_exchange():
    assert stored_once.stored_id("cx-1") == stored_once.stored_id("cx-1")
    assert stored_once.stored_id("cx-1") != stored_once.stored_id("cx-2")
