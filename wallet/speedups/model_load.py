"""Models deserialized with a schema built once per thread, where that is safe.

`BaseModel.deserialize` builds a fresh marshmallow schema for every call, like
`serialize` (see `model_dump`): every message received, every record rebuilt from
storage (each of its messages again), every decorator and every registry object read
built its schemas anew, most of the 50-64 still built per issuance once dumps
reused theirs.

Loading keeps state on one kind of schema: an `AgentMessageSchema` collects the
decorators it loads in `self._decorators` and hands that very object to the message
it makes. So a schema is reused for loading only when:
- it is a plain `BaseModelSchema`, or an `AgentMessageSchema` whose state is exactly
  what `AgentMessageSchema.__init__` sets, which is set afresh before every load
  (as a fresh schema has it);
- no schema nested in it, at any depth, is an `AgentMessageSchema` (a nested
  schema is kept by its field, so it would be shared between loads);
- its class does not define an `__init__` of its own (state we cannot know).
Anything else, any explicit `unknown` other than the schema's own, and a load
within a load of the same class are left to ACA-Py's own `deserialize`, as is a
failure (so it is logged and raised as ACA-Py raises it). Unnecessary once ACA-Py
keeps the schemas it builds (upstream `messaging/models/base.py`,
`BaseModel.deserialize`).
"""

import functools

from acapy_agent.messaging.agent_message import AgentMessageSchema
from acapy_agent.messaging.decorators.default import DecoratorSet
from acapy_agent.messaging.models.base import BaseModel, BaseModelSchema, resolve_meta_property
from marshmallow import EXCLUDE, Schema, ValidationError, fields
from marshmallow.exceptions import RegistryError

from .reuse import borrowed

PLAIN_INITS = (
    object.__init__,
    Schema.__init__,
    BaseModelSchema.__init__,
    AgentMessageSchema.__init__,
)


def original():
    """Return ACA-Py's own `BaseModel.deserialize` (the function under the classmethod)."""
    current = BaseModel.__dict__["deserialize"].__func__
    return getattr(current, "__wrapped__", current)


def _inner_fields(field):
    """Yield the fields a container field holds (a list's items, a dict's values...)."""
    if isinstance(field, fields.List):
        yield field.inner
    elif isinstance(field, fields.Tuple):
        yield from field.tuple_fields
    elif isinstance(field, fields.Dict):
        yield from (f for f in (field.key_field, field.value_field) if f is not None)


def _nested(schema, seen):
    """Yield every schema instance nested in `schema`, at any depth."""
    stack = list(schema.fields.values())
    while stack:
        field = stack.pop()
        stack.extend(_inner_fields(field))
        if isinstance(field, fields.Nested):
            inner = field.schema
            if id(inner) not in seen:
                seen.add(id(inner))
                yield inner
                stack.extend(inner.fields.values())


@functools.cache
def reusable(schema_class):
    """Whether one instance of `schema_class` per thread loads as a fresh one does."""
    if not issubclass(schema_class, BaseModelSchema):
        return False
    inits = (vars(c).get("__init__", object.__init__) for c in schema_class.__mro__)
    if any(init not in PLAIN_INITS for init in inits):
        return False  # an __init__ of its own may set state we cannot reset
    try:
        probe = schema_class(unknown=EXCLUDE)
        return not any(isinstance(inner, AgentMessageSchema) for inner in _nested(probe, set()))
    except (RegistryError, TypeError, ValueError):
        return False  # a nested schema we cannot build here: leave it to ACA-Py


def deserialize(cls, obj, *, unknown=None, none2none=False):
    """Return the model as `BaseModel.deserialize` does, loaded on a reused schema."""
    if obj is None and none2none:
        return None
    schema_class = cls._get_schema_class()
    own = resolve_meta_property(schema_class, "unknown", EXCLUDE)
    if (unknown is None or unknown == own) and reusable(schema_class):
        with borrowed(schema_class, own) as schema:
            if schema is not None:
                if isinstance(schema, AgentMessageSchema):  # as __init__ leaves it
                    schema._decorators = DecoratorSet()
                    schema._decorators_dict = None
                    schema._signatures = {}
                try:
                    return schema.loads(obj) if isinstance(obj, str) else schema.load(obj)
                except (AttributeError, ValidationError):
                    pass  # ACA-Py's own logs it and raises its BaseModelError
    return original()(cls, obj, unknown=unknown, none2none=none2none)


def install() -> None:
    """Give every model the reusing `deserialize` (idempotent)."""
    BaseModel.deserialize = classmethod(functools.wraps(original())(deserialize))
