"""Models dumped and loaded on schemas built once per thread give what fresh schemas give."""

import threading

import pytest
from acapy_agent.messaging.agent_message import AgentMessage, AgentMessageSchema
from acapy_agent.messaging.models.base import BaseModelError, BaseModelSchema
from acapy_agent.protocols.issue_credential.v2_0.messages.cred_offer import V20CredOffer
from acapy_agent.protocols.issue_credential.v2_0.models.cred_ex_record import (
    V20CredExRecordSchema,
)
from acapy_agent.protocols.present_proof.v2_0.messages.pres import V20Pres, V20PresSchema
from acapy_agent.protocols.present_proof.v2_0.messages.pres_request import V20PresRequest
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecordSchema
from marshmallow import fields

from wallet.speedups import model_dump, model_load

from .samples import pres, pres_request


def stock_serialize(model, **kwargs):
    """Serialize as ACA-Py does, with a fresh schema."""
    return model_dump.original()(model, **kwargs)


def stock_deserialize(cls, value, **kwargs):
    """Deserialize as ACA-Py does, with a fresh schema."""
    return model_load.original()(cls, value, **kwargs)


def _with_decorators(message, kind):
    """Give a message the decorators of one row of the tables below."""
    if kind in ("thread", "all"):
        message.assign_thread_id("thread-9", pthid="parent-9")
    if kind in ("ack", "all"):
        message._decorators["please_ack"] = {"on": ["OUTCOME"]}
        message._decorators["trace"] = {"target": "log", "full_thread": True}
    if kind in ("timing", "all"):
        message._decorators["timing"] = {"expires_time": "2026-12-31T00:00:00Z"}
        message._decorators["l10n"] = {"locale": "fr"}
    return message


KINDS = ["none", "thread", "ack", "timing", "all"]


def _messages(kind):
    return [
        _with_decorators(pres_request(), kind),
        _with_decorators(pres(), kind),
        pres_request(will_confirm=False),
        _with_decorators(V20CredOffer(comment="an offer", formats=[], offers_attach=[]), kind),
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_messages_and_decorators_serialize_as_acapy_serializes_them(speedups, kind):
    messages = _messages(kind)
    for message in messages + messages:  # reused schemas: no state carried over
        assert message.serialize() == stock_serialize(message)
        assert message.serialize(as_string=True) == stock_serialize(message, as_string=True)


@pytest.mark.parametrize("kind", KINDS)
def test_messages_and_decorators_deserialize_as_acapy_deserializes_them(speedups, kind):
    dumped = [(type(m), stock_serialize(m)) for m in _messages(kind)]
    for cls, value in dumped + dumped:
        ours, theirs = cls.deserialize(dict(value)), stock_deserialize(cls, dict(value))
        assert type(ours) is cls
        assert stock_serialize(ours) == stock_serialize(theirs) == value
        assert dict(ours._decorators.items()).keys() == dict(theirs._decorators.items()).keys()
        as_text = cls.deserialize(stock_serialize(theirs, as_string=True))
        assert stock_serialize(as_text) == value


def test_each_loaded_message_has_decorators_of_its_own(speedups):
    first = V20Pres.deserialize(stock_serialize(_with_decorators(pres(), "all")))
    second = V20Pres.deserialize(stock_serialize(pres()))
    assert first._decorators is not second._decorators
    assert "timing" in first._decorators and "timing" not in second._decorators
    second._decorators["l10n"] = {"locale": "de"}
    assert first._decorators["l10n"].locale == "fr"


def _schemas_built(monkeypatch):
    """Count marshmallow schemas built from here on."""
    built = []
    original = BaseModelSchema.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(BaseModelSchema, "__init__", counting)
    return built


def _dump(message):
    return message.serialize


def _load(message):
    value = stock_serialize(message)
    return lambda: type(message).deserialize(dict(value))


@pytest.mark.parametrize("step", [_dump, _load])
@pytest.mark.parametrize(("installed", "builds"), [(False, True), (True, False)])
def test_a_message_and_its_decorators_reuse_schemas_built_once(
    request, monkeypatch, step, installed, builds
):
    if installed:
        request.getfixturevalue("speedups")
    call = step(_with_decorators(pres(), "all"))
    call()  # the first call on this thread builds the schemas
    built = _schemas_built(monkeypatch)
    call()
    assert bool(built) is builds, built


@pytest.mark.parametrize(
    ("schema_class", "reusable"),
    [
        (V20PresSchema, True),  # a message: its decorators are reset before each load
        (V20PresRequest._get_schema_class(), True),
        (V20PresExRecordSchema, False),  # nests message schemas, kept by their fields
        (V20CredExRecordSchema, False),
        (AgentMessageSchema, False),  # no model class: ACA-Py's own refuses it
    ],
)
def test_only_schemas_without_hidden_load_state_are_reused(schema_class, reusable):
    assert model_load.reusable(schema_class) is reusable


class _Outer(AgentMessage):
    """A message holding another of its own class (a dump or load within one)."""

    class Meta:
        schema_class = "_OuterSchema"
        message_type = "https://didcomm.org/tessera-test/1.0/outer"

    def __init__(self, inner=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(inner, dict):
            inner = _Outer.deserialize(inner)
        self.inner = inner


class _OuterSchema(AgentMessageSchema):
    class Meta:
        model_class = _Outer

    inner = fields.Method("_inner", "_raw", allow_none=True)

    def _inner(self, obj):
        return obj.inner.serialize() if obj.inner is not None else None

    def _raw(self, value):
        return value


def test_a_dump_or_load_within_one_of_the_same_class_does_not_share_its_schema(speedups):
    inner = _Outer()
    inner.assign_thread_id("inner-thread")
    outer = _Outer(inner=inner)
    outer.assign_thread_id("outer-thread")
    dumped = outer.serialize()
    assert dumped == stock_serialize(outer)
    assert dumped["~thread"]["thid"] == "outer-thread"
    assert dumped["inner"]["~thread"]["thid"] == "inner-thread"
    loaded = _Outer.deserialize(dumped)
    assert loaded._thread_id == "outer-thread"
    assert loaded.inner._thread_id == "inner-thread"
    assert loaded._decorators is not loaded.inner._decorators


def test_a_dump_or_load_that_fails_fails_as_acapy_fails_it(speedups):
    broken = _Outer(inner="not a message")  # _inner raises AttributeError
    with pytest.raises(BaseModelError):
        stock_serialize(broken)
    with pytest.raises(BaseModelError):
        broken.serialize()
    bad = {**stock_serialize(pres()), "formats": "not a list"}
    with pytest.raises(BaseModelError):
        stock_deserialize(V20Pres, dict(bad))
    with pytest.raises(BaseModelError):
        V20Pres.deserialize(dict(bad))
    fine = pres()  # the reused schemas still work
    assert fine.serialize() == stock_serialize(fine)
    assert stock_serialize(V20Pres.deserialize(fine.serialize())) == stock_serialize(fine)


def test_each_thread_has_its_own_schemas(speedups):
    value = stock_serialize(pres())
    results = []

    def load_many():
        results.extend(stock_serialize(V20Pres.deserialize(dict(value))) for _ in range(50))

    threads = [threading.Thread(target=load_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [value] * 200
