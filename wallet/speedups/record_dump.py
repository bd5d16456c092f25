"""Exchange records serialized with a schema built once per thread.

`BaseModel.serialize` builds a fresh marshmallow schema for every call, and an
exchange record's schema nests the schemas of all its messages, each copied and
set up again: serializing a record for its webhook (on every save) cost the issuer
more than issuing the credential. Dumping keeps no state on the schema from one call
to the next (an `AgentMessageSchema` sets its decorators in `pre_dump` and reads
them back in `post_dump`, within one call), so one schema instance per thread dumps
exactly what a fresh one dumps. Loading is left alone: an `AgentMessageSchema`
keeps the decorators it loads on the instance, so loads must not share one.

`install()` gives the exchange records a `serialize` that reuses the schema for the
plain dict form and falls back to ACA-Py's own for anything else. Unnecessary once
ACA-Py keeps the schemas it builds (upstream `messaging/models/base.py`,
`BaseModel.serialize`).
"""

import functools

from acapy_agent.messaging.models.base import BaseModel, BaseModelError, resolve_meta_property
from acapy_agent.protocols.issue_credential.v2_0.models.cred_ex_record import V20CredExRecord
from acapy_agent.protocols.issue_credential.v2_0.models.detail.anoncreds import (
    V20CredExRecordAnonCreds,
)
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecord
from marshmallow import EXCLUDE, ValidationError

from .reuse import per_thread

RECORDS = (V20PresExRecord, V20CredExRecord, V20CredExRecordAnonCreds)


def dump_schema(schema_class):
    """Return this thread's reused dump instance of a record schema."""
    return per_thread(schema_class, resolve_meta_property(schema_class, "unknown", EXCLUDE))


def _original():
    return getattr(BaseModel.serialize, "__wrapped__", BaseModel.serialize)


def serialize(self, *, as_string=False, unknown=None):
    """Return the record as a dict, as `BaseModel.serialize` does, on a reused schema."""
    if as_string or unknown is not None:
        return _original()(self, as_string=as_string, unknown=unknown)
    try:
        return dump_schema(self._get_schema_class()).dump(self)
    except (AttributeError, ValidationError, TypeError) as err:
        raise BaseModelError(f"{self.__class__.__name__} schema validation failed") from err


def install() -> None:
    """Give the exchange records the reusing `serialize` (idempotent)."""
    wrapped = functools.wraps(_original())(serialize)
    for cls in RECORDS:
        cls.serialize = wrapped
