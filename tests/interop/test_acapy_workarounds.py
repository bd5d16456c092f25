"""The ACA-Py workarounds of `wallet.interop`: pinned to the ACA-Py code they change.

If one of the pins fails, ACA-Py changed a function a workaround wraps or relies on:
read the new source, check whether the workaround is still needed (each module's
docstring names the upstream change that makes it unnecessary), then update the pin.
"""

import asyncio
import hashlib
import inspect
from importlib import metadata

import pytest
from acapy_agent.connections.models.conn_record import ConnRecord
from acapy_agent.messaging.models.base import BaseModelError
from acapy_agent.protocols.didexchange.v1_0.manager import DIDXManager
from acapy_agent.protocols.didexchange.v1_0.messages.complete import DIDXComplete
from acapy_agent.protocols.didexchange.v1_0.messages.response import DIDXResponse
from acapy_agent.protocols.present_proof.v2_0.formats.anoncreds.handler import (
    AnonCredsPresExchangeHandler,
)
from acapy_agent.protocols.present_proof.v2_0.formats.indy.handler import (
    IndyPresExchangeHandler,
)
from acapy_agent.protocols.present_proof.v2_0.message_types import PRES_20, PRES_20_REQUEST
from acapy_agent.utils.testing import create_test_profile
from marshmallow import ValidationError

from wallet.interop import didexchange, indy_proofs

ACAPY_SERIES = (1, 7)
PINNED = [
    (
        DIDXManager,
        "accept_response",
        "aa2492852ca2a1148a7e2befd3fea2b10116d198156cc033bea9ac59ce64b7f2",
    ),
    (
        IndyPresExchangeHandler,
        "create_pres",
        "f7fbef9f84ca939f50171f580c45c0f062827fe4cc2ec4255cec35fd454ab202",
    ),
    (
        IndyPresExchangeHandler,
        "validate_fields",
        "03822e58758613d50a5b1aa41273f413f7856beb75c0700d4c50e7d7fd638bbf",
    ),
    (
        AnonCredsPresExchangeHandler,
        "create_pres",
        "797631e5417e68498bff771fffb6f7b4c7d1708c611fd4fd0ee8218f7164c289",
    ),
    (
        AnonCredsPresExchangeHandler,
        "validate_fields",
        "f77d611c7775a3e0e9944c872bbd521e73084d753de72ade4cd66528624f721b",
    ),
]


def original(cls, name):
    """Return ACA-Py's own function behind a class attribute, installed workaround or not."""
    attribute = cls.__dict__[name]
    return inspect.unwrap(getattr(attribute, "__func__", attribute))


def test_acapy_is_the_series_the_workarounds_were_written_for():
    version = metadata.version("acapy-agent")
    assert tuple(int(part) for part in version.split(".")[:2]) == ACAPY_SERIES, (
        f"ACA-Py {version}: re-check wallet/interop against it, then update ACAPY_SERIES"
    )


@pytest.mark.parametrize(("cls", "name", "digest"), PINNED)
def test_wrapped_acapy_source_is_unchanged(cls, name, digest):
    source = inspect.getsource(original(cls, name))
    assert hashlib.sha256(source.encode()).hexdigest() == digest, (
        f"ACA-Py changed {cls.__name__}.{name}: re-check wallet/interop, then update the pin"
    )


@pytest.mark.parametrize(
    ("cls", "name", "install"),
    [
        (DIDXManager, "accept_response", didexchange.install),
        (IndyPresExchangeHandler, "create_pres", indy_proofs.install),
        (IndyPresExchangeHandler, "validate_fields", indy_proofs.install),
    ],
)
def test_install_wraps_once(monkeypatch, cls, name, install):
    monkeypatch.setattr(cls, name, cls.__dict__[name])
    install()
    first = cls.__dict__[name]
    install()  # a second install replaces the wrapper, never wraps it
    second = cls.__dict__[name]
    assert first is not second
    wrapper = getattr(second, "__func__", second)
    assert wrapper.__wrapped__ is original(cls, name)


def run(coroutine):
    """Run a coroutine on a loop of our own (importing ACA-Py patches asyncio)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


async def adopted_pthid(stored, thread):
    """Store a requester's connection record, adopt on a response with `thread`."""
    profile = await create_test_profile()
    try:
        if stored is not None:
            async with profile.session() as session:
                await ConnRecord(**stored).save(session)
        response = DIDXResponse()
        response.assign_thread_id(**thread)
        await didexchange.adopt_invitation_id(profile, response)
        return response._thread.pthid
    finally:
        await profile.close()


REQUESTER = {
    "request_id": "req-1",
    "their_role": ConnRecord.Role.RESPONDER.rfc23,
    "invitation_msg_id": "inv-1",
    "state": ConnRecord.State.REQUEST.rfc160,
}


@pytest.mark.parametrize(
    ("stored", "thread", "pthid"),
    [
        (REQUESTER, {"thid": "req-1"}, "inv-1"),
        ({**REQUESTER, "their_role": ConnRecord.Role.RESPONDER.rfc160}, {"thid": "req-1"}, "inv-1"),
        (REQUESTER, {"thid": "req-1", "pthid": "theirs"}, "theirs"),
        (REQUESTER, {"thid": "other"}, None),
        ({**REQUESTER, "invitation_msg_id": None}, {"thid": "req-1"}, None),
        ({**REQUESTER, "their_role": ConnRecord.Role.REQUESTER.rfc23}, {"thid": "req-1"}, None),
        (None, {"thid": "req-1"}, None),
    ],
)
def test_response_adopts_the_invitation_id(stored, thread, pthid):
    assert run(adopted_pthid(stored, thread)) == pthid


def test_complete_copied_from_a_response_needs_its_pthid():
    response = DIDXResponse()
    response.assign_thread_id(thid="req-1")
    complete = DIDXComplete()
    complete.assign_thread_from(response)
    with pytest.raises(BaseModelError, match="DIDXComplete schema validation failed"):
        complete.serialize()
    response._thread.pthid = "inv-1"
    complete.assign_thread_from(response)
    assert complete.serialize()["~thread"] == {"thid": "req-1", "pthid": "inv-1"}


ISSUER = "did:tessera:z6Mkm8zZpi3UbwqPRTmjuwC5oycvQE5XQFLa9cctKbCfriDY"
PROOF = {
    "proof": {"proofs": [], "aggregated_proof": {"c_hash": "1", "c_list": []}},
    "requested_proof": {
        "revealed_attrs": {},
        "self_attested_attrs": {},
        "unrevealed_attrs": {},
        "predicates": {},
    },
    "identifiers": [
        {
            "schema_id": f"{ISSUER}/schema/9txxLRf1SGurz5N8zPxsuo3JzooENYcnQT1mpjgXm8qD",
            "cred_def_id": f"{ISSUER}/creddef/BAQiGZCA127DLQkgfu9hrhBNWwpCtRfbDyrqjeeQzg5o",
        }
    ],
}


@pytest.fixture
def indy_installed(monkeypatch):
    """Install the Indy format workaround for one test only."""
    for name in ("create_pres", "validate_fields"):
        monkeypatch.setattr(IndyPresExchangeHandler, name, IndyPresExchangeHandler.__dict__[name])
    indy_proofs.install()


def test_stock_indy_schema_refuses_anoncreds_ids(monkeypatch):
    monkeypatch.setattr(
        IndyPresExchangeHandler,
        "validate_fields",
        classmethod(original(IndyPresExchangeHandler, "validate_fields")),
    )
    with pytest.raises(ValidationError, match="is not an indy schema identifier"):
        IndyPresExchangeHandler.validate_fields(PRES_20, PROOF)


@pytest.mark.parametrize(
    ("message_type", "data", "accepted"),
    [
        (PRES_20, PROOF, True),
        (PRES_20, {**PROOF, "identifiers": "not a list"}, False),
        (PRES_20_REQUEST, {"name": "x"}, False),
    ],
)
def test_indy_presentations_may_name_anoncreds_ids(indy_installed, message_type, data, accepted):
    if accepted:
        IndyPresExchangeHandler.validate_fields(message_type, data)
    else:
        with pytest.raises(ValidationError):
            IndyPresExchangeHandler.validate_fields(message_type, data)
