"""Reading proof requests in the `anoncreds` and `indy` formats; answering in the one asked."""

import pytest

from wallet.errors import FlowError, UnreadableFormat
from wallet.flows import formats, present

REQUEST = {"name": "Age check", "requested_attributes": {}, "requested_predicates": {}}
OTHER = {"name": "Other", "requested_attributes": {}, "requested_predicates": {}}
DIF = {"presentation_definition": {"id": "x", "input_descriptors": []}}
SPEC = {"requested_attributes": {}, "requested_predicates": {}, "self_attested_attributes": {}}


def record(**pres_request):
    """A holder-side exchange record carrying `pres_request` by format."""
    return {"pres_ex_id": "ex-1", "by_format": {"pres_request": pres_request}}


@pytest.mark.parametrize(
    ("carried", "fmt", "expected"),
    [
        ({"anoncreds": REQUEST}, "anoncreds", REQUEST),
        ({"indy": REQUEST}, "indy", REQUEST),
        ({"anoncreds": REQUEST, "indy": OTHER}, "anoncreds", REQUEST),
        ({"dif": DIF, "indy": REQUEST}, "indy", REQUEST),
    ],
)
def test_request_is_read_from_either_format(carried, fmt, expected):
    rec = record(**carried)
    assert formats.request_format(rec) == fmt
    assert formats.proof_request(rec) == expected
    assert present.anoncreds_request(rec) == expected


@pytest.mark.parametrize(
    ("carried", "fmt"),
    [({"anoncreds": REQUEST}, "anoncreds"), ({"indy": REQUEST}, "indy")],
)
def test_answer_goes_back_in_the_format_asked(carried, fmt):
    assert formats.answer(record(**carried), SPEC) == {fmt: SPEC}


@pytest.mark.parametrize(
    ("rec", "named"),
    [
        (record(dif=DIF), "dif"),
        (record(), "no format at all"),
        ({"pres_ex_id": "ex-1"}, "no format at all"),
        (record(anoncreds=None, indy=None), "anoncreds, indy"),
    ],
)
def test_unreadable_request_names_what_it_carries(rec, named):
    with pytest.raises(UnreadableFormat, match=named) as caught:
        formats.proof_request(rec)
    assert caught.value.pres_ex_id == "ex-1"
    assert isinstance(caught.value, FlowError)  # callers that catch FlowError still do
    with pytest.raises(UnreadableFormat):
        formats.answer(rec, SPEC)


PROOF = {"requested_proof": {"revealed_attrs": {"nat": {"raw": "FR"}}, "predicates": {}}}


@pytest.mark.parametrize(
    ("pres", "expected"),
    [
        ({"anoncreds": PROOF}, PROOF),
        ({"indy": PROOF}, PROOF),
        ({"dif": {}}, None),
        ({}, None),
    ],
)
def test_presentation_is_read_from_either_format(pres, expected):
    rec = {"by_format": {"pres": pres}}
    assert formats.first_readable(rec, "pres") == expected


@pytest.mark.parametrize("fmt", ["anoncreds", "indy"])
def test_verification_reads_either_format(fmt):
    request = {
        "requested_attributes": {"nat": {"name": "nationality"}},
        "requested_predicates": {"adult": {"name": "birthdate_dateint", "p_type": "<="}},
    }
    proof = {
        "requested_proof": {
            "revealed_attrs": {"nat": {"raw": "FR"}},
            "predicates": {"adult": {"sub_proof_index": 0}},
        }
    }
    rec = {
        "pres_ex_id": "p1",
        "verified": "true",
        "by_format": {"pres_request": {fmt: request}, "pres": {fmt: proof}},
    }
    result = present.Verification.from_record(rec)
    assert result.verified
    assert result.revealed == {"nationality": "FR"}
    assert result.predicates == [request["requested_predicates"]["adult"]]


@pytest.mark.parametrize(
    ("request_name", "proposal_name", "shown"),
    [
        ("Loan sign-up", None, "Loan sign-up"),
        # ACA-Py names a request bound to a proposal "proof-request": the proposal's name.
        ("proof-request", "Loan sign-up (smaller answer)", "Loan sign-up (smaller answer)"),
        ("Loan sign-up", "Loan sign-up (smaller answer)", "Loan sign-up"),
        (None, "Loan sign-up (smaller answer)", "Loan sign-up (smaller answer)"),  # proposed
        (None, None, "Proof request"),
        ("proof-request", None, "proof-request"),
    ],
)
def test_a_request_is_shown_by_its_name_or_its_proposals(request_name, proposal_name, shown):
    by_format = {}
    if request_name is not None:
        by_format["pres_request"] = {"anoncreds": {"name": request_name}}
    if proposal_name is not None:
        by_format["pres_proposal"] = {"anoncreds": {"name": proposal_name}}
    record = {"pres_ex_id": "px-1", "by_format": by_format}
    assert present.request_name(record, "Proof request") == shown
