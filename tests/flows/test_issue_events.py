"""An issuance's detail folded from its webhooks, so waiters need no admin call."""

import pytest

from wallet.errors import FlowError
from wallet.flows.issue import _Detail, _state_is

RECORD = {"cred_ex_id": "x1", "state": "credential-received", "updated_at": "2026-11-29T10:00:01Z"}
DONE = {"cred_ex_id": "x1", "state": "done", "updated_at": "2026-11-29T10:00:02Z"}
REQUESTED = {"cred_ex_id": "x1", "cred_ex_anoncreds_id": "a1", "updated_at": "2026-11-29T10:00:00Z"}
STORED = {**REQUESTED, "cred_id_stored": "c1", "updated_at": "2026-11-29T10:00:02Z"}


def stored(detail):
    return _state_is("done")(detail) and (detail.get("anoncreds") or {}).get("cred_id_stored")


@pytest.mark.parametrize(
    ("events", "finished"),
    [
        ([RECORD], None),
        ([RECORD, STORED], None),  # stored, but the exchange is not done yet
        ([RECORD, STORED, DONE], "c1"),
        ([STORED, DONE], "c1"),
        ([DONE, STORED], "c1"),  # the two topics may arrive in either order
        ([DONE], None),  # done, but which credential was stored is not known yet
        ([REQUESTED, RECORD, STORED, DONE], "c1"),
        ([STORED, REQUESTED, DONE], "c1"),  # a late, older detail event is not news
        ([STORED, DONE, RECORD], "c1"),  # nor a late, older state
        ([STORED, {**DONE, "updated_at": "2026-11-29T10:00:02.5Z"}, RECORD], "c1"),
    ],
)
def test_events_fold_into_the_detail_an_admin_call_would_give(events, finished):
    fold = _Detail()
    for payload in events:
        detail = fold(payload)
    assert (stored(detail) or None) == finished


def test_an_abandoned_exchange_in_an_event_is_an_error():
    detail = _Detail()({"cred_ex_id": "x1", "state": "abandoned", "error_msg": "declined"})
    with pytest.raises(FlowError, match="declined"):
        _state_is("done")(detail)
