"""Exchange records read back from the agent's own store skip revalidating attachments.

ACA-Py 1.7.0 rebuilds an exchange record's messages whenever it loads the record
(`V20PresExRecord.__init__` deserializes the request and the presentation), and
deserializing a message validates its attachments in full: the whole 18 KB
presentation again on every load (the ack's arrival, every admin read). Everything
in an agent's store got there either as a message that was validated when it
arrived (`Dispatcher.make_message`) or as a message the agent built itself, so
validating it again on the way out of storage finds nothing new.

`install()` wraps the proof and credential exchange records' `from_storage` so that,
while a stored record is rebuilt, the attachment check (`V20PresFormat.Format.
validate_fields`, `V20CredFormat.Format.validate_fields`) is skipped; every other
field is still deserialized and checked, and a message arriving from outside is
validated as before. Unnecessary once ACA-Py rebuilds stored records without
revalidation (or lazily, on first use of a message).
"""

import contextvars
import functools

from acapy_agent.protocols.issue_credential.v2_0.messages.cred_format import V20CredFormat
from acapy_agent.protocols.issue_credential.v2_0.models.cred_ex_record import V20CredExRecord
from acapy_agent.protocols.present_proof.v2_0.messages.pres_format import V20PresFormat
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecord

from .unwrap import acapy_original

_from_own_store = contextvars.ContextVar("tessera_from_own_store", default=False)

RECORDS = (V20PresExRecord, V20CredExRecord)
FORMATS = (V20PresFormat.Format, V20CredFormat.Format)


def loading_own_record():
    """Return True while a record from the agent's own store is being rebuilt."""
    return _from_own_store.get()


def _install_from_storage(cls):
    original = acapy_original(cls, "from_storage") if "from_storage" in cls.__dict__ else None
    inherited = original or cls.from_storage.__func__

    @functools.wraps(inherited)
    def from_storage(klass, record_id, record):
        token = _from_own_store.set(True)
        try:
            return inherited(klass, record_id, record)
        finally:
            _from_own_store.reset(token)

    cls.from_storage = classmethod(from_storage)


def _install_validate(fmt):
    original = acapy_original(fmt, "validate_fields")

    @functools.wraps(original)
    def validate_fields(self, message_type, attachment_data):
        if _from_own_store.get():
            return None
        return original(self, message_type, attachment_data)

    fmt.validate_fields = validate_fields


def install() -> None:
    """Wrap the records' `from_storage` and the formats' `validate_fields` (never stacking)."""
    for cls in RECORDS:
        _install_from_storage(cls)
    for fmt in FORMATS:
        _install_validate(fmt)
