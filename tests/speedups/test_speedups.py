"""What the speed-ups change, and what they leave exactly as ACA-Py does it."""

import threading

import pytest
from acapy_agent.anoncreds.holder import CATEGORY_CREDENTIAL, AnonCredsHolder
from acapy_agent.anoncreds.models.proof import AnonCredsProofProofAggregatedProofSchema
from acapy_agent.messaging.agent_message import AgentMessageSchema
from acapy_agent.messaging.models.base import BaseModelError
from acapy_agent.messaging.models.base_record import BaseRecord
from acapy_agent.protocols.present_proof.v2_0.formats.anoncreds.handler import (
    AnonCredsPresExchangeHandler,
)
from acapy_agent.protocols.present_proof.v2_0.manager import V20PresManager
from acapy_agent.protocols.present_proof.v2_0.message_types import PRES_20, PRES_20_REQUEST
from acapy_agent.protocols.present_proof.v2_0.messages.pres import V20Pres
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecord
from acapy_agent.utils.testing import create_test_profile
from marshmallow import RAISE, ValidationError, fields

from wallet.errors import ConfigError
from wallet.speedups import (
    acks,
    credential_changes,
    model_dump,
    proof_fields,
    saving,
    validation,
)

from .samples import BROKEN_PROOF, PROOF, REQUEST, pres, pres_request, run, stored_value


def nested_schemas(schema_class, seen=None):
    """Yield a schema class and every schema class nested in it."""
    seen = set() if seen is None else seen
    if schema_class in seen:
        return
    seen.add(schema_class)
    yield schema_class
    for field in schema_class._declared_fields.values():
        while isinstance(field, fields.List):
            field = field.inner
        if isinstance(field, fields.Dict) and field.value_field is not None:
            field = field.value_field
        if isinstance(field, fields.Nested) and not isinstance(field.nested, str):
            nested = field.nested() if callable(field.nested) else field.nested
            yield from nested_schemas(nested if isinstance(nested, type) else type(nested), seen)


@pytest.mark.parametrize(
    "schema_class", [*validation.pres_schemas().values(), *validation.cred_schemas().values()]
)
def test_reused_validation_schemas_hold_no_message_state(schema_class):
    # An AgentMessageSchema keeps loaded decorators on the instance: never reuse one.
    assert not any(issubclass(s, AgentMessageSchema) for s in nested_schemas(schema_class))


@pytest.mark.parametrize(
    ("message_type", "data", "valid"),
    [
        (PRES_20, PROOF, True),
        (PRES_20, BROKEN_PROOF, False),
        (PRES_20, {**PROOF, "unexpected": 1}, False),
        (PRES_20_REQUEST, REQUEST, True),
        (PRES_20_REQUEST, {**REQUEST, "requested_attributes": "x"}, False),
    ],
)
def test_validation_on_reused_schemas_decides_as_acapy(speedups, message_type, data, valid):
    for _ in range(3):  # the reused instance decides again, the same way
        if valid:
            AnonCredsPresExchangeHandler.validate_fields(message_type, data)
        else:
            with pytest.raises(ValidationError):
                AnonCredsPresExchangeHandler.validate_fields(message_type, data)


C_LISTS = [
    [[1, 2, 255], [0]],
    [],
    [[]],
    [(1, 2)],
    [[2**70]],
    [[True]],
    [["7"]],
    [[1.0]],
    [[None]],
    [None],
    "x",
    {"a": 1},
    [[1], [2, "a"]],
    None,
]


def c_list_outcome(schema):
    """Return a function loading an aggregated proof: ('ok', c_list) or ('error', messages)."""

    def load(c_list):
        try:
            return "ok", schema.load({"c_hash": "1", "c_list": c_list}).c_list
        except ValidationError as err:
            return "error", err.messages

    return load


def stock_and_fast():
    """Return the aggregated proof schema built with ACA-Py's c_list field, and with ours."""
    declared = AnonCredsProofProofAggregatedProofSchema._declared_fields
    fast_field = declared["c_list"]
    declared["c_list"] = fast_field.original
    try:
        stock = AnonCredsProofProofAggregatedProofSchema(unknown=RAISE)
    finally:
        declared["c_list"] = fast_field
    return stock, AnonCredsProofProofAggregatedProofSchema(unknown=RAISE)


@pytest.mark.parametrize("c_list", C_LISTS)
def test_c_list_in_one_pass_decides_and_answers_as_acapy(speedups, c_list):
    stock, fast = stock_and_fast()
    assert type(stock.fields["c_list"]) is not proof_fields.IntRows
    assert type(fast.fields["c_list"]) is proof_fields.IntRows
    assert c_list_outcome(fast)(c_list) == c_list_outcome(stock)(c_list)


def test_c_list_field_keeps_acapys_options(speedups):
    fast = AnonCredsProofProofAggregatedProofSchema._declared_fields["c_list"]
    speedups.install()  # a second install wraps ACA-Py's field again, never the wrapper
    again = AnonCredsProofProofAggregatedProofSchema._declared_fields["c_list"]
    assert again.original is fast.original
    for option in ("required", "allow_none", "metadata", "load_default", "data_key"):
        assert getattr(again, option) == getattr(fast.original, option), option


def test_each_thread_has_its_own_validation_schema():
    here = validation.schema(validation.pres_schemas()[PRES_20])
    there = []
    thread = threading.Thread(
        target=lambda: there.append(validation.schema(validation.pres_schemas()[PRES_20]))
    )
    thread.start()
    thread.join()
    assert validation.schema(validation.pres_schemas()[PRES_20]) is here
    assert there[0] is not here


def test_stock_acapy_revalidates_a_stored_presentation():
    with pytest.raises(BaseModelError):
        V20PresExRecord.from_storage("ex-1", stored_value(BROKEN_PROOF))


def test_own_stored_records_load_without_revalidating_attachments(speedups):
    record = V20PresExRecord.from_storage("ex-1", stored_value(BROKEN_PROOF))
    assert record.pres.attachment()["identifiers"] == "not a list"
    assert record.state == V20PresExRecord.STATE_PRESENTATION_SENT


def test_messages_from_outside_are_still_validated(speedups):
    V20PresExRecord.from_storage("ex-1", stored_value(BROKEN_PROOF))  # the flag is reset after
    with pytest.raises(BaseModelError):
        V20Pres.deserialize(pres(BROKEN_PROOF).serialize())
    with pytest.raises(BaseModelError):
        V20PresExRecord(pres=pres(BROKEN_PROOF).serialize())


def stock_serialize(model):
    """Serialize as ACA-Py does, with a fresh schema."""
    return model_dump.original()(model)


def test_records_serialize_as_acapy_serializes_them(speedups):
    first = V20PresExRecord.from_storage("ex-1", stored_value())
    second = V20PresExRecord.from_storage("ex-2", stored_value(will_confirm=False))
    second.pres = None
    for record in (first, second, first, second):  # reused schema: no state carried over
        assert record.serialize() == stock_serialize(record)
    assert first.serialize()["by_format"]["pres"]["anoncreds"] == PROOF
    assert "pres" not in second.serialize()


async def saved(record, override):
    """Save a record on a test profile; return (serializations made, events, stored record)."""
    profile = await create_test_profile()
    calls, events = [], []
    original = type(record).serialize

    def counting(self, **kwargs):
        calls.append(1)
        return original(self, **kwargs)

    async def emit(session, payload=None):
        events.append(payload)

    type(record).serialize = counting
    record.emit_event = emit
    try:
        async with profile.session() as session:
            await record.save(session, reason="test", log_override=override)
            found = await V20PresExRecord.retrieve_by_id(session, record.pres_ex_id)
        return len(calls), events, found
    finally:
        type(record).serialize = original
        await profile.close()


@pytest.mark.parametrize(
    ("override", "serialized", "logged"),
    [
        (False, 1, False),  # only the event's copy
        (True, 2, True),  # the log line's copy too, as ACA-Py makes it
    ],
)
def test_save_serializes_for_the_log_only_when_logged(
    speedups, capsys, override, serialized, logged
):
    record = V20PresExRecord(**stored_value())
    count, events, found = run(saved(record, override))
    assert count == serialized
    assert len(events) == 1 and events[0]["state"] == V20PresExRecord.STATE_PRESENTATION_SENT
    assert found.serialize()["by_format"] == record.serialize()["by_format"]
    assert ("test" in capsys.readouterr().err) is logged


def test_the_replaced_save_is_acapys_save_installed_once(speedups):
    assert BaseRecord.save.__wrapped__ is saving._original()
    speedups.install()
    assert BaseRecord.save.__wrapped__.__qualname__ == "BaseRecord.save"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, True),
        ({"plugin_config": {"tessera_speedups": {"presentation_ack": False}}}, False),
        ({"plugin_config": {"tessera_speedups": {"presentation_ack": "false"}}}, False),
        ({"plugin_config": {"tessera_speedups": {"presentation_ack": "True"}}}, True),
        ({"plugin_config": {"tessera_speedups": {"presentation_ack": "auto"}}}, acks.AUTO),
        ({"plugin_config": {"tessera_speedups": {"presentation_ack": "Auto"}}}, acks.AUTO),
    ],
)
def test_presentation_ack_setting(config, expected):
    assert acks.presentation_ack(config) == expected
    assert acks.asks_peers(config) is (expected == acks.AUTO)


@pytest.mark.parametrize("bad", ["no", 0, 1, None, [True], "automatic", ""])
def test_bad_presentation_ack_setting_is_refused(bad):
    with pytest.raises(ConfigError, match="presentation_ack"):
        acks.presentation_ack({"plugin_config": {"tessera_speedups": {"presentation_ack": bad}}})


@pytest.mark.parametrize(
    ("role", "state", "will_confirm", "ends"),
    [
        ("prover", "presentation-sent", False, True),
        ("prover", "presentation-sent", True, False),
        ("prover", "request-received", False, False),
        ("verifier", "presentation-sent", False, False),
    ],
)
def test_a_prover_ends_its_exchange_only_when_no_ack_was_promised(role, state, will_confirm, ends):
    record = V20PresExRecord(
        role=role, state=state, pres_request=pres_request(will_confirm=will_confirm)
    )
    assert acks.ends_when_sent(record) is ends


@pytest.mark.parametrize(("ack", "will_confirm"), [(True, True), (False, False)])
def test_free_requests_promise_an_ack_as_configured(speedups, ack, will_confirm):
    async def create():
        settings = {"plugin_config": {"tessera_speedups": {"presentation_ack": ack}}}
        profile = await create_test_profile(settings=settings)
        try:
            message = pres_request()
            record = await V20PresManager(profile).create_exchange_for_request("conn-1", message)
            return message.will_confirm, record.pres_request.will_confirm
        finally:
            await profile.close()

    assert run(create()) == (will_confirm, will_confirm)


@pytest.mark.parametrize(("will_confirm", "state"), [(True, "presentation-sent"), (False, "done")])
def test_a_prover_told_no_ack_is_done_once_sent(speedups, monkeypatch, will_confirm, state):
    async def sent_by_acapy(self, record, *args, **kwargs):
        record.state = V20PresExRecord.STATE_PRESENTATION_SENT  # as ACA-Py's create_pres
        async with self._profile.session() as session:
            await record.save(session)
        return record, pres()

    announced = []

    async def emit_event(self, session, payload=None):
        announced.append(self.state)

    monkeypatch.setattr(acks, "_unwrapped", lambda name: sent_by_acapy)
    monkeypatch.setattr(V20PresExRecord, "emit_event", emit_event)
    acks.install()

    async def present():
        profile = await create_test_profile()
        try:
            record = V20PresExRecord(
                role="prover",
                state="request-received",
                thread_id="thread-1",
                pres_request=pres_request(will_confirm=will_confirm),
            )
            async with profile.session() as session:
                await record.save(session)
            announced.clear()
            done, _ = await V20PresManager(profile).create_pres(record)
            async with profile.session() as session:
                stored = await V20PresExRecord.retrieve_by_id(session, record.pres_ex_id)
            return done.state, stored.state, "save" in vars(done)
        finally:
            await profile.close()

    assert run(present()) == (state, state, False)
    assert announced == [state]  # written and announced once


async def deletions_counted(settings, stored):
    """Delete one credential id (stored or not); return the change counts before and after."""
    profile = await create_test_profile(settings)
    try:
        if stored:
            async with profile.session() as session:
                await session.handle.insert(CATEGORY_CREDENTIAL, "c1", b"{}")
                await session.handle.insert(AnonCredsHolder.RECORD_TYPE_MIME_TYPES, "c1", b"{}")
        before = credential_changes.changes(profile.name)[1]
        failed = None
        try:
            await AnonCredsHolder(profile).delete_credential("c1")
        except Exception as error:  # which one ACA-Py raises is not the point
            failed = error
        return before, credential_changes.changes(profile.name)[1], failed
    finally:
        await profile.close()


@pytest.mark.parametrize("stored", [True, False])  # a deletion that fails still counts
def test_every_credential_deletion_is_counted_once_it_has_ended(speedups, stored):
    speedups.install()  # twice: still counted once
    settings = {"wallet.type": "askar-anoncreds", "auto_provision": True, "wallet.id": "w"}
    settings |= {"wallet.key": "insecure", "wallet.key_derivation_method": "RAW"}
    before, after, failed = run(deletions_counted(settings, stored))
    assert after == before + 1
    assert (failed is None) is stored
    assert credential_changes.changes("another wallet")[0] == credential_changes.EPOCH


def test_the_counted_store_and_deletion_are_acapys_own(speedups):
    for name in ("_finish_store_credential", "delete_credential"):
        wrapped = getattr(AnonCredsHolder, name).__wrapped__
        assert wrapped.__qualname__ == f"AnonCredsHolder.{name}"
