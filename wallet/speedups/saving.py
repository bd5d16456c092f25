"""Saving a record serializes it for the log only when the log will show it.

ACA-Py 1.7.0's `BaseRecord.save` serializes the whole record for a log line in its
`finally` block on every save, then `log_state` prints that line only when the
record's state logging flag (such as `debug.presentations`) is set; `post_save`
serializes the record once more for its event. For an exchange record carrying a
presentation the unused first copy cost as much as the event's.

`install()` replaces `BaseRecord.save` with the same steps in the same order, the
log line's record serialized only when `log_state` would print it. (A record that
cannot be serialized at all now fails in `post_save`, when its event is built, rather
than in the log copy: after the write either way.) Unnecessary once
ACA-Py builds the log parameters lazily (upstream `messaging/models/base_record.py`,
`BaseRecord.save`).
"""

import functools

from acapy_agent.messaging.models import base_record
from acapy_agent.messaging.models.base_record import BaseRecord
from acapy_agent.storage.base import BaseStorage


def will_log(record, settings, override):
    """Return True when `log_state` would print for this record."""
    flag = record.LOG_STATE_FLAG
    return bool(override or (flag and settings and settings.get(flag)))


def _original():
    return getattr(BaseRecord.save, "__wrapped__", BaseRecord.save)


async def save(self, session, *, reason=None, log_params=None, log_override=False, event=None):
    """Persist the record to storage (ACA-Py's steps; the log copy only when logged)."""
    new_record = None
    log_reason = reason or ("Updated record" if self._id else "Created record")
    try:
        self.updated_at = base_record.time_now()
        storage = session.inject(BaseStorage)
        if self._id and not self._new_with_id:
            record = self.storage_record
            await storage.update_record(record, record.value, record.tags)
            new_record = False
        else:
            if not self._id:
                self._id = str(base_record.uuid4())
            self.created_at = self.updated_at
            await storage.add_record(self.storage_record)
            new_record = True
            self._new_with_id = False
    finally:
        if will_log(self, session.settings, log_override):
            params = {self.RECORD_TYPE: self.serialize()}
            if log_params:
                params.update(log_params)
            if new_record is None:
                log_reason = f"FAILED: {log_reason}"
            self.log_state(log_reason, params, override=log_override, settings=session.settings)

    await self.post_save(session, new_record, self._last_state, event)
    self._last_state = self.state

    return self._id


def install() -> None:
    """Replace `BaseRecord.save` (idempotent)."""
    BaseRecord.save = functools.wraps(_original())(save)
