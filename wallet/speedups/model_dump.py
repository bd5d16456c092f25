"""Models serialized with a schema built once per thread, not once per call.

`BaseModel.serialize` builds a fresh marshmallow schema for every call, and a schema
nests the schemas of everything it holds, each copied and set up again. An exchange
record's webhook on every save cost the issuer more than issuing the credential;
once records reused their schema (the first version of this module), the agents
still built a schema for every message sent, for each of its decorators (`~thread`,
`~please_ack`...) and for the JSON copy of every message received that each handler
makes for a debug log line (built even when nothing is logged): 88 schemas per
issuance at the holder and 114 at the issuer.

Dumping keeps no state on the schema from one call to the next: no ACA-Py schema has
a dump hook that reads what an earlier dump left (`AgentMessageSchema` sets its
decorators in `pre_dump` and reads them back in `post_dump`, within one call), so
one schema instance per thread dumps exactly what a fresh one dumps. A dump within
a dump of the same class gets a fresh schema (`reuse.borrowed`).

`install()` replaces `BaseModel.serialize` (every model, messages and records
alike): the dict and the JSON string come from the reused schema, and a failure is
left to ACA-Py's own (so it is logged and raised as ACA-Py raises it). Unnecessary
once ACA-Py keeps the schemas it builds (upstream `messaging/models/base.py`,
`BaseModel.serialize`).
"""

import functools

from acapy_agent.messaging.models.base import BaseModel, resolve_meta_property
from marshmallow import EXCLUDE, ValidationError

from .reuse import borrowed


def original():
    """Return ACA-Py's own `BaseModel.serialize`."""
    return getattr(BaseModel.serialize, "__wrapped__", BaseModel.serialize)


def serialize(self, *, as_string=False, unknown=None):
    """Return the model as `BaseModel.serialize` does, dumped on a reused schema."""
    schema_class = self._get_schema_class()
    unknown = unknown or resolve_meta_property(schema_class, "unknown", EXCLUDE)
    with borrowed(schema_class, unknown) as schema:
        if schema is not None:
            try:
                return schema.dumps(self, separators=(",", ":")) if as_string else schema.dump(self)
            except (AttributeError, ValidationError, TypeError):
                pass  # ACA-Py's own logs it and raises its BaseModelError
    return original()(self, as_string=as_string, unknown=unknown)


def install() -> None:
    """Give every model the reusing `serialize` (idempotent)."""
    BaseModel.serialize = functools.wraps(original())(serialize)
