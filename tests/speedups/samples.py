"""Sample present-proof records and a loop runner for the speed-up tests."""

import asyncio
import copy

from acapy_agent.messaging.decorators.attach_decorator import AttachDecorator
from acapy_agent.protocols.present_proof.v2_0.message_types import (
    ATTACHMENT_FORMAT,
    PRES_20,
    PRES_20_REQUEST,
)
from acapy_agent.protocols.present_proof.v2_0.messages.pres import V20Pres
from acapy_agent.protocols.present_proof.v2_0.messages.pres_format import V20PresFormat
from acapy_agent.protocols.present_proof.v2_0.messages.pres_request import V20PresRequest
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecord

ISSUER = "did:tessera:z6Mkm8zZpi3UbwqPRTmjuwC5oycvQE5XQFLa9cctKbCfriDY"
CRED_DEF = f"{ISSUER}/creddef/BAQiGZCA127DLQkgfu9hrhBNWwpCtRfbDyrqjeeQzg5o"
SCHEMA = f"{ISSUER}/schema/9txxLRf1SGurz5N8zPxsuo3JzooENYcnQT1mpjgXm8qD"
REQUEST = {
    "name": "age",
    "version": "1.0",
    "nonce": "1234567890",
    "requested_attributes": {
        "nat": {"name": "nationality", "restrictions": [{"cred_def_id": CRED_DEF}]}
    },
    "requested_predicates": {},
}
PROOF = {
    "proof": {"proofs": [], "aggregated_proof": {"c_hash": "1", "c_list": [[1, 2]]}},
    "requested_proof": {
        "revealed_attrs": {"nat": {"sub_proof_index": 0, "raw": "FR", "encoded": "1"}},
        "self_attested_attrs": {},
        "unrevealed_attrs": {},
        "predicates": {},
    },
    "identifiers": [{"schema_id": SCHEMA, "cred_def_id": CRED_DEF}],
}
BROKEN_PROOF = {**PROOF, "identifiers": "not a list"}


def pres_request(request=REQUEST, will_confirm=True):
    """Return a present-proof 2.0 request message carrying an AnonCreds request."""
    return V20PresRequest(
        will_confirm=will_confirm,
        formats=[
            V20PresFormat(attach_id="0", format_=ATTACHMENT_FORMAT[PRES_20_REQUEST]["anoncreds"])
        ],
        request_presentations_attach=[AttachDecorator.data_base64(request, ident="0")],
    )


def pres(proof=PROOF):
    """Return a presentation message carrying an AnonCreds proof (checked or not)."""
    message = V20Pres(
        formats=[V20PresFormat(attach_id="0", format_=ATTACHMENT_FORMAT[PRES_20]["anoncreds"])],
        presentations_attach=[AttachDecorator.data_base64(copy.deepcopy(proof), ident="0")],
    )
    message.assign_thread_id("thread-1")
    return message


def stored_value(proof=PROOF, will_confirm=True):
    """Return a prover's record as its stored value: request and presentation as dicts."""
    return {
        "connection_id": "conn-1",
        "thread_id": "thread-1",
        "role": V20PresExRecord.ROLE_PROVER,
        "state": V20PresExRecord.STATE_PRESENTATION_SENT,
        "pres_request": pres_request(will_confirm=will_confirm).serialize(),
        "pres": _serialize_unchecked(pres(proof)),
        "created_at": "2026-01-01T00:00:00.000000Z",
        "updated_at": "2026-01-01T00:00:01.000000Z",
    }


def _serialize_unchecked(message):
    """Serialize a message (dumping never validates, so a broken proof comes out as is)."""
    return message.serialize()


def run(coroutine):
    """Run a coroutine on a loop of our own (importing ACA-Py patches asyncio)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()
