"""Verifier console: people's smaller requests, non-revocation requests, "revoked" results."""

import uuid

import pytest

from wallet.agent.handle import Agent
from wallet.console.results import describe
from wallet.schemas import load_all

from .conftest import make_console
from .fakes import CRED_DEF, FakeAdmin

SCHEMAS = load_all()
INCOME = [{"cred_def_id": CRED_DEF}]
PROPOSED = {
    "name": "Loan (smaller answer)",
    "version": "1.0",
    "requested_attributes": {"job": {"names": ["employer"], "restrictions": INCOME}},
    "requested_predicates": {
        "annual_income_instead": {
            "name": "annual_income",
            "p_type": ">=",
            "p_value": 30000,
            "restrictions": INCOME,
        }
    },
}
NOW = 1_795_000_000


def proposal_record(pres_ex_id, state="proposal-received"):
    return {
        "pres_ex_id": pres_ex_id,
        "state": state,
        "role": "verifier",
        "by_format": {"pres_proposal": {"anoncreds": PROPOSED}},
    }


def revoked_record():
    return {
        "pres_ex_id": "p-1",
        "state": "done",
        "verified": "false",
        "verified_msgs": ["RMV_GLB_NRI"],
        "by_format": {
            "pres_request": {"anoncreds": PROPOSED},
            "pres": {
                "anoncreds": {
                    "requested_proof": {},
                    "identifiers": [{"rev_reg_id": "did:tessera:z/revreg/1", "timestamp": NOW}],
                }
            },
        },
    }


class RecordingAdmin(FakeAdmin):
    """The console fake, also keeping POST bodies and answering for one proposal."""

    def __init__(self, records):
        """Answer GETs of `records` by id."""
        super().__init__()
        self.records = records
        self.bodies = []

    def get(self, path, **params):
        """Answer a record GET, else as the base fake."""
        for pres_ex_id, record in self.records.items():
            if path == f"/present-proof-2.0/records/{pres_ex_id}":
                return record
        if path == "/present-proof-2.0/records":
            return {"results": list(self.records.values())}
        return super().get(path, **params)

    def post(self, path, body=None, **params):
        """Record the body too."""
        self.bodies.append((path, body))
        return super().post(path, body, **params)


@pytest.fixture
def pending():
    return str(uuid.uuid4())


@pytest.fixture
def admin(pending):
    return RecordingAdmin({pending: proposal_record(pending)})


@pytest.fixture
def console(tmp_path, admin):
    return make_console(
        "verifier",
        Agent("verifier", admin),
        tmp_path,
        TRUSTED_CRED_DEFS=[CRED_DEF],
        NOW=lambda: NOW,
    )


@pytest.mark.parametrize(
    ("record", "status", "revoked", "proposal"),
    [
        (proposal_record("x"), "The person proposes a smaller request", False, True),
        (revoked_record(), "REVOKED", True, False),
    ],
)
def test_result_view_of_proposals_and_revoked_proofs(record, status, revoked, proposal):
    view = describe(record, SCHEMAS, {CRED_DEF: "employment_income"})
    assert view.status.startswith(status)
    assert (view.revoked, view.proposal) == (revoked, proposal)
    if revoked:
        assert view.error.startswith("revoked: a credential in this proof has been revoked")
    if proposal:
        assert [(i.label, i.text) for i in view.asked] == [
            ("Employer", "revealed"),
            ("Annual income", "proven >= 30000 (value not received)"),
        ]


def test_revoked_result_page_says_revoked(tmp_path):
    pres_ex_id = str(uuid.uuid4())
    admin = RecordingAdmin({pres_ex_id: revoked_record()})
    console = make_console("verifier", Agent("verifier", admin), tmp_path, TRUSTED_CRED_DEFS=[])
    assert console.get(f"/verifier/results/{uuid.uuid4()}").status_code == 404
    page = console.get(f"/verifier/results/{pres_ex_id}").text
    assert ">REVOKED<" in page and 'id="revoked"' in page and "NOT verified" not in page


def test_proposal_is_listed_and_accepted_with_the_matching_request(console, admin, pending):
    assert "Smaller requests proposed by people" in console.get("/verifier/").text
    page = console.get(f"/verifier/results/{pending}").text
    assert "Accept: send this smaller request" in page and "Annual income" in page
    response = console.post(f"/verifier/proposals/{pending}/accept")
    assert response.status_code == 302
    assert (
        f"/present-proof-2.0/records/{pending}/send-request",
        {"auto_verify": True, "auto_remove": False},
    ) in admin.bodies


def test_an_answered_proposal_cannot_be_accepted_twice(console, admin, pending):
    admin.records[pending]["state"] = "request-sent"
    response = console.post(f"/verifier/proposals/{pending}/accept")
    assert response.status_code == 409 and "already answered" in response.text
    assert not [p for p, _ in admin.bodies if p.endswith("/send-request")]


def test_proposal_can_be_declined_with_a_reason(console, admin, pending):
    console.post(f"/verifier/proposals/{pending}/decline", {"reason": "We need the amount."})
    assert (
        f"/present-proof-2.0/records/{pending}/problem-report",
        {"description": "We need the amount."},
    ) in admin.bodies


@pytest.mark.parametrize(("ticked", "expected"), [(True, {"from": NOW, "to": NOW}), (False, None)])
def test_request_can_ask_for_non_revocation(console, admin, ticked, expected):
    form = {"mode": "connection", "connection_id": "conn-1", "threshold_0": "30000"}
    if ticked:
        form["non_revoked"] = "on"
    assert console.post("/verifier/requests/income_min", form).status_code == 302
    [(_, body)] = [(p, b) for p, b in admin.bodies if p == "/present-proof-2.0/send-request"]
    assert body["presentation_request"]["anoncreds"].get("non_revoked") == expected
