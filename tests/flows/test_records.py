"""Typed records at the agent boundary keep every field the agent sent."""

import pytest

from wallet.flows.records import Connection, CredExchange, PresExchange, labels

PRES = {
    "pres_ex_id": "px-1",
    "thread_id": "th-1",
    "connection_id": "conn-1",
    "state": "request-received",
    "role": "prover",
    "by_format": {"pres_request": {"anoncreds": {"name": "Age", "requested_attributes": {}}}},
    "auto_present": False,
    "trace": None,
}
CRED_ITEM = {
    "cred_ex_record": {
        "cred_ex_id": "cx-1",
        "connection_id": "conn-2",
        "state": "offer-received",
        "cred_offer": {
            "comment": "Your payslip",
            "credential_preview": {"attributes": [{"name": "employer", "value": "Acme"}]},
        },
        "auto_issue": False,
    },
    "anoncreds": {"cred_id_stored": "cred-9", "rev_reg_id": None},
}
CONN = {"connection_id": "conn-1", "their_label": "Bank", "state": "active", "rfc23_state": "x"}


@pytest.mark.parametrize(
    ("kind", "data", "known", "extra"),
    [
        (PresExchange, PRES, {"pres_ex_id": "px-1", "state": "request-received"}, "auto_present"),
        (Connection, CONN, {"connection_id": "conn-1", "label": "Bank"}, "rfc23_state"),
        (CredExchange, CRED_ITEM, {"cred_ex_id": "cx-1", "cred_id_stored": "cred-9"}, "auto_issue"),
    ],
)
def test_known_fields_are_typed_and_unknown_ones_are_kept(kind, data, known, extra):
    record = kind.from_agent(data)
    assert {name: getattr(record, name) for name in known} == known
    assert extra in record.extra
    assert kind.from_agent(record) is record


def test_a_record_goes_back_to_the_agents_json_unchanged():
    record = PresExchange.from_agent(PRES)
    assert record.to_agent() == PRES


@pytest.mark.parametrize(
    ("key", "expected"),
    [("pres_ex_id", "px-1"), ("auto_present", False), ("verified", None), ("nothing", None)],
)
def test_a_record_reads_like_the_json_it_came_from(key, expected):
    record = PresExchange.from_agent(PRES)
    assert record.get(key) == expected
    assert (key in record) is (expected is not None)


def test_presentation_parts_and_offer_values_are_read_from_by_format():
    pres = PresExchange.from_agent(PRES)
    assert pres.request["name"] == "Age" and pres.proposal is None and pres.presentation is None
    assert pres.whole and not PresExchange.from_agent({"pres_ex_id": "p", "state": "x"}).whole
    cred = CredExchange.from_agent(CRED_ITEM)
    assert (cred.values, cred.comment) == ({"employer": "Acme"}, "Your payslip")


def test_labels_fall_back_to_the_connection_id():
    found = [Connection.from_agent(CONN), Connection.from_agent({"connection_id": "conn-2"})]
    assert labels(found) == {"conn-1": "Bank", "conn-2": "conn-2"}
