"""Exchanges never answered: how long they waited, and asking, offering, checking again."""

import datetime

import pytest

from wallet.console.redrive import ASKED_AGAIN, OFFERED_AGAIN, Waiting, waiting
from wallet.errors import AgentError, FlowError
from wallet.flows import issue, present

from .conftest import make_console
from .fakes import CONNECTION, CRED_DEF, FakeAdmin, fake_agent

AT = datetime.datetime(2030, 5, 17, 12, 0, tzinfo=datetime.UTC)
OLD = "00000000-0000-0000-0000-0000000000aa"
NEW = "00000000-0000-0000-0000-000000000001"  # what FakeAdmin's send-request answers


def _ago(minutes, naive=False):
    when = AT - datetime.timedelta(minutes=minutes)
    return (when.replace(tzinfo=None) if naive else when).isoformat()


@pytest.mark.parametrize(
    ("role", "state", "updated_at", "expected"),
    [
        ("verifier", "request-sent", _ago(6), Waiting("ask", 6, True)),
        ("verifier", "request-sent", _ago(5), Waiting("ask", 5, True)),
        ("verifier", "request-sent", _ago(4.9), Waiting("ask", 4, False)),
        ("verifier", "request-sent", _ago(6, naive=True), Waiting("ask", 6, True)),
        ("verifier", "request-sent", _ago(-3), Waiting("ask", 0, False)),  # clock skew
        ("verifier", "request-sent", "not a time", Waiting("ask", 0, False)),
        ("verifier", "request-sent", None, Waiting("ask", 0, False)),
        ("verifier", "presentation-received", _ago(30), Waiting("check", 30, True)),
        ("verifier", "done", _ago(60), None),
        ("verifier", "abandoned", _ago(60), None),
        ("verifier", "offer-sent", _ago(60), None),
        ("issuer", "offer-sent", _ago(61), Waiting("offer", 61, True)),
        ("issuer", "credential-issued", _ago(61), None),
        ("issuer", "request-sent", _ago(61), None),
    ],
)
def test_how_long_an_exchange_waited_and_what_the_firm_can_do(role, state, updated_at, expected):
    assert waiting(role, state, updated_at, AT) == expected


class RecordingAdmin(FakeAdmin):
    """A FakeAdmin that keeps each POST's body and answers GETs of one exchange."""

    def __init__(self, record):
        super().__init__()
        self.record = record
        self.bodies = []

    def get(self, path, **params):
        if path.endswith(OLD):
            return self.record
        if path.endswith(NEW):
            return {**self.record, "pres_ex_id": NEW, "state": "request-sent"}
        if path == "/tessera-terms/messages":  # no terms were stated
            return {"results": []}
        return super().get(path, **params)

    def post(self, path, body=None, **params):
        self.bodies.append((path, body))
        return super().post(path, body, **params)


def _pres_record(state="request-sent", connection_id="conn-1"):
    request = {
        "name": "Age",
        "version": "1.0",
        "nonce": "1234567890",
        "requested_attributes": {},
        "requested_predicates": {
            "age": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20100517}
        },
    }
    return {
        "pres_ex_id": OLD,
        "thread_id": "thread-old",
        "connection_id": connection_id,
        "state": state,
        "updated_at": _ago(10),
        "by_format": {"pres_request": {"anoncreds": request}},
    }


def _cred_record(state="offer-sent", connection_id="conn-1"):
    return {
        "cred_ex_id": OLD,
        "connection_id": connection_id,
        "state": state,
        "updated_at": _ago(10),
        "cred_offer": {"comment": "Your identity"},
        "cred_preview": {"attributes": [{"name": "given_name", "value": "Ana"}]},
        "by_format": {"cred_offer": {"anoncreds": {"cred_def_id": CRED_DEF, "schema_id": "s"}}},
    }


def test_asking_again_sends_the_same_request_fresh_then_withdraws_the_first():
    admin = RecordingAdmin(_pres_record())
    firm = fake_agent("verifier")
    firm.admin = admin
    assert present.ask_again(firm, admin.record, "why")[0] == NEW
    (send, sent), (report, reported) = admin.bodies
    assert send == "/present-proof-2.0/send-request" and sent["connection_id"] == "conn-1"
    asked = sent["presentation_request"]["anoncreds"]
    assert "nonce" not in asked  # the agent makes a fresh one
    assert (
        asked["requested_predicates"]
        == admin.record["by_format"]["pres_request"]["anoncreds"]["requested_predicates"]
    )
    assert report == f"/present-proof-2.0/records/{OLD}/problem-report"
    assert reported == {"description": "why"}


def test_offering_again_sends_the_same_values_then_withdraws_the_first():
    admin = RecordingAdmin(_cred_record())
    firm = fake_agent("issuer")
    firm.admin = admin
    assert issue.offer_again(firm, admin.record, "why") == "ex-1"
    (send, sent), (report, reported) = admin.bodies
    assert send == "/issue-credential-2.0/send-offer"
    assert sent["credential_preview"]["attributes"] == [{"name": "given_name", "value": "Ana"}]
    assert sent["filter"] == {"anoncreds": {"cred_def_id": CRED_DEF}}
    assert sent["connection_id"] == "conn-1" and sent["comment"] == "Your identity"
    assert report == f"/issue-credential-2.0/records/{OLD}/problem-report"
    assert reported == {"description": "why"}


@pytest.mark.parametrize(
    ("again", "record"),
    [
        (present.ask_again, _pres_record(state="done")),
        (present.ask_again, _pres_record(state="presentation-received")),
        (present.ask_again, _pres_record(connection_id=None)),  # a connectionless request
        (issue.offer_again, _cred_record(state="credential-issued")),
        (issue.offer_again, _cred_record(connection_id=None)),
    ],
)
def test_nothing_is_sent_again_for_an_exchange_that_is_not_waiting(again, record):
    admin = RecordingAdmin(record)
    firm = fake_agent("verifier")
    firm.admin = admin
    with pytest.raises(FlowError, match="nothing to"):
        again(firm, record, "why")
    assert admin.bodies == []


def _console(role, record, tmp_path):
    firm = fake_agent(role)
    firm.admin = RecordingAdmin(record)
    return make_console(role, firm, tmp_path, WALL_CLOCK=lambda: AT), firm.admin


def test_a_stuck_request_says_so_and_is_asked_again_from_its_page(tmp_path):
    console, admin = _console("verifier", _pres_record(), tmp_path)
    page = console.get(f"/verifier/results/{OLD}").text
    assert 'data-stuck="yes"' in page and "No answer for 10 minutes" in page
    asked = console.post(f"/verifier/results/{OLD}/ask-again", {})
    assert asked.status_code == 302 and asked.headers["Location"].endswith(NEW)
    paths = [path for path, _ in admin.bodies]
    assert paths == [
        "/present-proof-2.0/send-request",
        f"/present-proof-2.0/records/{OLD}/problem-report",
    ]
    assert admin.bodies[1][1] == {"description": ASKED_AGAIN}


def test_an_unchecked_answer_is_checked_from_its_page(tmp_path):
    console, admin = _console("verifier", _pres_record("presentation-received"), tmp_path)
    page = console.get(f"/verifier/results/{OLD}").text
    assert 'id="check-again"' in page and 'id="ask-again"' not in page
    assert console.post(f"/verifier/results/{OLD}/check-again", {}).status_code == 302
    assert [p for p, _ in admin.bodies] == [f"/present-proof-2.0/records/{OLD}/verify-presentation"]


class CheckedMeanwhile(RecordingAdmin):
    """The agent verifies the answer itself just before the console asks it to."""

    def post(self, path, body=None, **params):
        if path.endswith("/verify-presentation"):
            self.record = {**self.record, "state": "done"}
            raise AgentError("POST", path, 400, "Presentation exchange in done state")
        return super().post(path, body, **params)


def test_an_answer_the_agent_checked_meanwhile_is_shown_not_an_error(tmp_path):
    firm = fake_agent("verifier")
    firm.admin = CheckedMeanwhile(_pres_record("presentation-received"))
    console = make_console("verifier", firm, tmp_path, WALL_CLOCK=lambda: AT)
    checked = console.post(f"/verifier/results/{OLD}/check-again", {})
    assert checked.status_code == 302
    assert "not waiting to be checked" in console.get(f"/verifier/results/{OLD}").text


def test_a_finished_exchange_offers_nothing_to_drive_on(tmp_path):
    console, admin = _console("verifier", _pres_record("done"), tmp_path)
    page = console.get(f"/verifier/results/{OLD}").text
    assert 'id="waiting"' not in page
    assert console.post(f"/verifier/results/{OLD}/check-again", {}).status_code == 302
    assert console.post(f"/verifier/results/{OLD}/ask-again", {}).status_code == 409
    assert admin.bodies == []


def test_an_unknown_exchange_is_404(tmp_path):
    console, _ = _console("verifier", _pres_record(), tmp_path)
    unknown = "00000000-0000-0000-0000-0000000000bb"
    assert console.post(f"/verifier/results/{unknown}/ask-again", {}).status_code == 404
    issuer, _ = _console("issuer", _cred_record(), tmp_path)
    assert issuer.post(f"/issuer/issued/{unknown}/offer-again", {}).status_code == 404


def test_a_stuck_offer_is_offered_again_from_the_issued_page(tmp_path):
    record = _cred_record()
    console, admin = _console("issuer", record, tmp_path)
    answer = admin.get

    def get(path, **params):
        if path == "/issue-credential-2.0/records":
            return {"results": [record]}
        return answer(path, **params)

    admin.get = get
    page = console.get("/issuer/issued").text
    assert f'id="offer-again-{OLD}"' in page and "No answer for 10 minutes" in page
    assert CONNECTION["alias"] in page
    done = console.post(f"/issuer/issued/{OLD}/offer-again", {})
    assert done.status_code == 302 and done.headers["Location"].endswith("/issuer/issued")
    assert [p for p, _ in admin.bodies] == [
        "/issue-credential-2.0/send-offer",
        f"/issue-credential-2.0/records/{OLD}/problem-report",
    ]
    assert admin.bodies[1][1] == {"description": OFFERED_AGAIN}
