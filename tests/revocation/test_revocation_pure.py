"""Pure parts of the revocation flows: intervals, verdicts, revoked-only reasons, status cache."""

import pytest

from wallet.errors import UnsatisfiableRequest
from wallet.flows import revocation
from wallet.flows.matching import Candidate, choose, revoked_only, unanswerable, usable
from wallet.flows.revocation import CredentialStatus, StatusCache, check_times, non_revoked, verdict

REQUEST = {
    "requested_attributes": {"emp": {"name": "employer"}},
    "requested_predicates": {
        "income": {"name": "annual_income", "p_type": ">=", "p_value": 30000},
    },
}
OLD = Candidate(
    "old",
    {"employer": "Acme", "annual_income": "52750"},
    "s",
    "c",
    "r",
    frozenset({"emp", "income"}),
)
NEW = Candidate(
    "new",
    {"employer": "Acme", "annual_income": "52750"},
    "s",
    "c",
    "r",
    frozenset({"emp", "income"}),
)


def test_non_revoked_asks_from_since_to_now_and_keeps_the_request():
    request = non_revoked(REQUEST, 1_700_000_000.7, since=1_600_000_000)
    assert request["non_revoked"] == {"from": 1_600_000_000, "to": 1_700_000_000}
    assert "non_revoked" not in REQUEST
    assert non_revoked(REQUEST, 5)["non_revoked"] == {"from": 5, "to": 5}


@pytest.mark.parametrize(
    ("request_", "times"),
    [
        ({}, {100}),
        ({"non_revoked": {"from": 1, "to": 50}}, {50}),
        ({"non_revoked": {"from": 1}}, {100}),
        (
            {
                "non_revoked": {"to": 70},
                "requested_attributes": {"a": {"name": "x", "non_revoked": {"to": 60}}},
                "requested_predicates": {"p": {"name": "y", "non_revoked": {"to": 80}}},
            },
            {60, 70, 80},
        ),
    ],
)
def test_check_times_are_each_interval_end_else_now(request_, times):
    assert check_times(request_, 100) == frozenset(times)


def record(verified, msgs=(), stamped=True):
    """A verifier record with one identifier, with or without a revocation timestamp."""
    ident = {"schema_id": "s", "cred_def_id": "c"}
    if stamped:
        ident.update(rev_reg_id="did:tessera:z/revreg/x", timestamp=1700000000)
    return {
        "verified": verified,
        "verified_msgs": list(msgs),
        "by_format": {"pres": {"anoncreds": {"identifiers": [ident]}}},
    }


@pytest.mark.parametrize(
    ("rec", "revoked", "reason_start"),
    [
        (record("true"), False, ""),
        (record(None), False, ""),
        (record("false"), True, "revoked: a credential in this proof has been revoked"),
        (record("false", ["RMV_GLB_NRI"]), True, "revoked:"),
        (record("false", ["VERIFY_ERROR::bad proof"]), False, "The proof did not verify: VERIFY"),
        (record("false", ["VALUE_ERROR::timestamp"]), False, "The proof did not verify: VALUE"),
        (record("false", stamped=False), False, "The proof did not verify (no revocation"),
        ({"verified": "false"}, False, "The proof did not verify (no revocation"),
    ],
)
def test_verdict_names_revocation_only_when_a_revocation_proof_failed(rec, revoked, reason_start):
    got_revoked, reason = verdict(rec)
    assert got_revoked is revoked
    assert reason.startswith(reason_start)
    assert bool(reason) is bool(reason_start)


def test_item_only_a_revoked_credential_answers_says_so():
    revoked = frozenset({"old"})
    options = usable(REQUEST, [OLD], revoked)
    reasons = unanswerable(REQUEST, options, revoked_only(REQUEST, [OLD], revoked))
    assert reasons == {
        "emp": "only a revoked credential holds employer",
        "income": "only a revoked credential proves annual_income >= 30000",
    }
    with pytest.raises(UnsatisfiableRequest, match="only a revoked credential holds employer"):
        choose(REQUEST, options, revoked_options=revoked_only(REQUEST, [OLD], revoked))


def test_revoked_credential_is_never_chosen_when_another_answers():
    revoked = frozenset({"old"})
    options = usable(REQUEST, [OLD, NEW], revoked)
    body = choose(REQUEST, options, revoked_options=revoked_only(REQUEST, [OLD, NEW], revoked))
    assert body["requested_predicates"]["income"]["cred_id"] == "new"
    assert unanswerable(REQUEST, options) == {}


def test_status_cache_round_trips_and_survives_a_damaged_file(tmp_path):
    cache = StatusCache(tmp_path / "holder" / revocation.STATUS_FILE)
    assert cache.load() == {}
    saved = {
        "a": CredentialStatus("a", True, True, 1700),
        "b": CredentialStatus("b", False, False, None),
    }
    cache.save(saved)
    assert cache.load() == saved
    assert [p.name for p in cache.path.parent.iterdir()] == [revocation.STATUS_FILE]
    cache.path.write_text("{not json")
    assert cache.load() == {}


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (CredentialStatus("a", True, True, 1), "revoked"),
        (CredentialStatus("a", True, False, 1), "valid"),
        (CredentialStatus("a", False, False, None), "valid (cannot be revoked)"),
    ],
)
def test_status_label(status, label):
    assert status.label == label


class FakeAdmin:
    """The two holder endpoints the status functions use, over a dict of credentials."""

    def __init__(self, creds, revoked):
        """`creds`: {id: rev_reg_id or None}; `revoked`: {id: time revoked}."""
        self.creds, self.revoked, self.calls = creds, revoked, []

    def get(self, path, **params):
        """Answer GET /credentials and GET /credential/revoked/{id}."""
        if path == "/credentials":
            return {"results": [{"referent": k, "rev_reg_id": v} for k, v in self.creds.items()]}
        cred_id = path.rsplit("/", 1)[1]
        self.calls.append((cred_id, params.get("to")))
        when = self.revoked.get(cred_id)
        return {"revoked": when is not None and params.get("to", 10**12) >= when}


class FakeHolder:
    """An agent with a fake admin client."""

    def __init__(self, admin):
        """Wrap `admin`."""
        self.admin = admin


def test_refresh_reports_newly_revoked_once_and_refresh_due_skips_fresh(tmp_path):
    admin = FakeAdmin({"a": "r", "b": "r", "plain": None}, {"a": 150})
    holder, cache = FakeHolder(admin), StatusCache(tmp_path / "s.json")
    statuses, newly = revocation.refresh(holder, cache, now=100)
    assert newly == [] and not statuses["a"].revoked and statuses["a"].checked_at == 100
    assert statuses["plain"].label == "valid (cannot be revoked)"
    statuses, newly = revocation.refresh(holder, cache, now=200)
    assert newly == ["a"] and statuses["a"].revoked
    assert revocation.refresh(holder, cache, now=300)[1] == []
    admin.calls.clear()
    revocation.refresh_due(holder, cache, now=350, max_age=100)
    assert admin.calls == []
    revocation.refresh_due(holder, cache, now=400, max_age=100)
    assert sorted(admin.calls) == [("a", 400), ("b", 400)]
    assert revocation.statuses(holder, cache)["b"].checked_at == 400
