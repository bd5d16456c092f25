"""The wallet's credentials through its index: fed by webhooks, paged by id, a checked hint."""

import datetime
import hashlib
import json
import secrets
from types import SimpleNamespace

import httpx
import pytest

from tests.web.fake_agent import INCOME, NATIONAL_ID, FakeAcaPy
from wallet.agent.admin import AdminClient
from wallet.agent.webhooks import Event
from wallet.flows import present
from wallet.flows.revocation import CredentialStatus
from wallet.holder import actions
from wallet.holder.credential_index import FILE, HeldCredentials

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)


class Counted:
    """The fake agent behind a transport that notes every call (method, path, params)."""

    def __init__(self):
        """Start the fake with no credentials."""
        self.fake = FakeAcaPy()
        self.fake.askar_order = True  # the order the index must not rely on
        self.calls = []
        self.read_ids = []  # the ids of each call reading credentials by id
        admin = AdminClient("http://fake-holder", transport=httpx.MockTransport(self._handle))
        self.agent = SimpleNamespace(admin=admin)

    def _handle(self, request):
        self.calls.append((request.method, request.url.path, dict(request.url.params)))
        if request.url.path == "/tessera/credentials/read":
            self.read_ids.append(json.loads(request.content)["ids"])
        return self.fake.handle(request)

    def count(self, method, prefix, **params):
        """Return how many calls were made to paths starting with `prefix` with `params`."""
        return sum(
            1
            for m, path, query in self.calls
            if m == method
            and path.startswith(prefix)
            and all(query.get(k) == v for k, v in params.items())
        )


@pytest.fixture
def world():
    """The counted fake agent."""
    return Counted()


@pytest.fixture
def held(tmp_path):
    """An index opened as at unlock (no file yet: the first read builds it)."""
    index = HeldCredentials(lambda: NOW)
    index.open(tmp_path, secrets.token_bytes(32))
    return index


def stored_by_webhook(world, held, values, cred_ex_id, conn="conn-issuer", cred_def_id="cd"):
    """Store a credential in the fake and tell the index as ACA-Py's two webhooks do."""
    cred_id = world.fake.add_credential(values, cred_def_id=cred_def_id)
    offer = {"schema_id": "s", "cred_def_id": cred_def_id}
    held.on_event(
        Event(
            0,
            "holder",
            "issue_credential_v2_0",
            {
                "cred_ex_id": cred_ex_id,
                "connection_id": conn,
                "updated_at": f"2026-11-0{len(world.fake.credentials)}T00:00:00Z",
                "by_format": {"cred_offer": {"anoncreds": offer}},
            },
        )
    )
    held.on_event(
        Event(
            0,
            "holder",
            "issue_credential_v2_0_anoncreds",
            {"cred_ex_id": cred_ex_id, "cred_id_stored": cred_id},
        )
    )
    return cred_id


def test_the_webhooks_index_a_stored_credential_with_its_issuer_and_no_value(world, held):
    held.fresh(world.agent)
    cred_id = stored_by_webhook(world, held, NATIONAL_ID, "x1")
    entry = held.index.get(cred_id)
    assert (entry.cred_def_id, entry.connection_id) == ("cd", "conn-issuer")
    assert "Alice" not in repr(entry)
    assert held.lookup(world.agent, [cred_id]) == {cred_id: ("Acme Registry", entry.issued_at)}
    assert world.count("GET", "/issue-credential-2.0/records") == 1  # the build only


def test_a_page_reads_only_its_credentials_newest_first_with_a_total(world, held):
    held.fresh(world.agent)  # built (empty) at unlock, then fed by the webhooks
    ids = [stored_by_webhook(world, held, NATIONAL_ID, f"x{i}") for i in range(8)]
    listings = world.count("GET", "/credentials")
    infos, total = held.page(world.agent, offset=2, limit=3)
    assert total == 8
    assert [i["referent"] for i in infos] == list(reversed(ids))[2:5]
    # the counts compared in one call (one from the 8th known: as many), then the page by id
    assert world.count("GET", "/credentials") - listings == 1
    assert world.count("GET", "/credentials", offset="7", limit="2") == 1
    assert world.read_ids == [list(reversed(ids))[2:5]]
    assert world.count("GET", "/credential/") == 0


def test_a_wallet_of_a_few_credentials_is_read_in_one_listing(world, held):
    held.fresh(world.agent)
    ids = [stored_by_webhook(world, held, NATIONAL_ID, f"x{i}") for i in range(3)]
    infos, total = held.page(world.agent)
    assert [i["referent"] for i in infos] == list(reversed(ids)) and total == 3
    assert world.read_ids == [] and world.count("GET", "/credential/") == 0


def listed_last(cred_id):
    return hashlib.sha256(cred_id.encode()).digest()


@pytest.mark.parametrize("late_count", [1, 3])
def test_credentials_whose_webhooks_trail_are_found_at_once_wherever_askar_lists_them(
    world, held, late_count
):
    """Askar lists by its encrypted names, so the credentials past the known count are
    not the new ones: a new one listed first among the known must be found too."""
    held.fresh(world.agent)
    known = [stored_by_webhook(world, held, NATIONAL_ID, f"x{i}") for i in range(4)]
    late = []
    while len(late) < late_count or all(
        listed_last(c) > max(map(listed_last, known)) for c in late
    ):  # until one of the late ones is listed before a known one
        late.append(world.fake.add_credential(INCOME))  # stored; its webhooks not here yet
    infos, total = held.page(world.agent, limit=20)
    assert total == len(known) + len(late)
    assert {i["referent"] for i in infos} == set(known) | set(late)


def nothing(world):
    """No credential stored or deleted."""


def a_store(world):
    """A credential stored whose webhooks have not come."""
    world.fake.add_credential(INCOME)


def a_deletion(world):
    """A credential deleted behind the wallet's back."""
    del world.fake.credentials[next(iter(world.fake.credentials))]


def a_restart(world):
    """The agent restarted: its count from 0 again may equal the one kept."""
    world.fake.epoch = "restarted"


@pytest.mark.parametrize(
    ("change", "checks", "total"),
    [
        (nothing, 0, 4),  # the change count alone: no listing
        (a_store, 1, 5),  # checked past the known count, found, indexed
        (a_deletion, 1, 3),  # checked (fewer), listed, the one gone left the index
        (a_restart, 1, 4),  # checked (as many)
    ],
)
def test_the_count_is_checked_only_after_a_credential_was_stored_or_deleted(
    world, held, change, checks, total
):
    held.fresh(world.agent)
    for i in range(4):
        stored_by_webhook(world, held, NATIONAL_ID, f"x{i}")
    held.page(world.agent, limit=2)  # found complete at the agent's count
    change(world)
    world.calls.clear()
    infos, found = held.page(world.agent, limit=2)
    assert found == total and len(infos) == 2
    assert world.count("GET", "/tessera/credentials/changes") >= 1
    assert world.count("GET", "/credentials", limit="2") == checks
    world.calls.clear()
    held.page(world.agent, limit=2)  # and found complete again
    assert world.count("GET", "/credentials", limit="2") == 0


def test_a_credential_gone_from_the_agent_is_never_shown_nor_hides_a_new_one(world, held):
    first = stored_by_webhook(world, held, NATIONAL_ID, "x1")
    gone = stored_by_webhook(world, held, INCOME, "x2")
    held.fresh(world.agent)
    del world.fake.credentials[gone]  # deleted behind the wallet's back
    new = world.fake.add_credential(INCOME)  # and one stored without a webhook yet
    infos, total = held.page(world.agent)
    assert [i["referent"] for i in infos] == [new, first] and total == 2
    assert held.index.get(gone) is None


def test_deleting_through_the_wallet_leaves_the_index(world, held):
    cred_id = stored_by_webhook(world, held, NATIONAL_ID, "x1")
    actions.delete_credential(world.agent, cred_id, held)
    assert held.index.get(cred_id) is None and held.page(world.agent)[1] == 0


def test_a_revocation_check_is_kept_in_the_index(world, held):
    cred_id = stored_by_webhook(world, held, NATIONAL_ID, "x1")
    held.revocation_checked({cred_id: CredentialStatus(cred_id, True, True, 1)})
    assert held.index.get(cred_id).revoked is True


def test_sealed_at_lock_read_at_unlock_and_rebuilt_after_a_crash(world, tmp_path):
    key = secrets.token_bytes(32)
    held = HeldCredentials(lambda: NOW)
    held.open(tmp_path, key)
    cred_id = stored_by_webhook(world, held, NATIONAL_ID, "x1")
    held.fresh(world.agent)
    held.close()
    assert (tmp_path / FILE).exists()
    held.open(tmp_path, key)
    assert not (tmp_path / FILE).exists()  # a crash now leaves no stale index behind
    held.fresh(world.agent)
    assert world.count("GET", "/issue-credential-2.0/records") == 1  # read, not rebuilt
    assert held.index.get(cred_id) is not None
    held.close()
    held.open(tmp_path, secrets.token_bytes(32))  # another key: unreadable, set aside
    assert (tmp_path / f"{FILE}.unreadable").exists()
    held.fresh(world.agent)
    assert world.count("GET", "/issue-credential-2.0/records") == 2


def test_an_agent_restart_rebuilds_the_index(world, tmp_path):
    restarts = [0]
    held = HeldCredentials(lambda: NOW, generation=lambda: restarts[0])
    held.open(tmp_path, secrets.token_bytes(32))
    held.fresh(world.agent)
    held.fresh(world.agent)
    restarts[0] += 1
    held.fresh(world.agent)
    assert world.count("GET", "/issue-credential-2.0/records") == 2


def request_for(name, restrictions, **predicate):
    """Return a request of one attribute (or one predicate) under `restrictions`."""
    item = {"name": name, "restrictions": restrictions, **predicate}
    part = "requested_predicates" if predicate else "requested_attributes"
    other = "requested_attributes" if predicate else "requested_predicates"
    return {"name": "t", "version": "1.0", part: {"item": item}, other: {}}


def test_candidates_are_the_newest_allowed_and_the_cut_says_of_how_many(world, tmp_path):
    held = HeldCredentials(lambda: NOW, keep=3)
    held.open(tmp_path, secrets.token_bytes(32))
    held.fresh(world.agent)
    ids = [stored_by_webhook(world, held, NATIONAL_ID, f"a{i}", cred_def_id="A") for i in range(5)]
    stored_by_webhook(world, held, NATIONAL_ID, "b1", cred_def_id="B")
    record = world.fake.requests[
        world.fake.add_request(request_for("nationality", [{"cred_def_id": "A"}]))
    ]
    found = present.assess(world.agent, record, lookup=held.candidates)
    assert [c.cred_id for c in found.usable["item"]] == ids[2:]  # oldest first, as ACA-Py
    assert found.cut == {"item": (3, 5)}
    assert world.count("GET", "/present-proof-2.0/records/") == 0  # no candidate listing
    assert world.read_ids == [list(reversed(ids))[:3]]  # the 3 newest, in one call


@pytest.mark.parametrize("items", [1, 2, 3])
def test_a_request_checks_the_change_count_once_and_reads_once_whatever_its_items(
    world, held, items
):
    held.fresh(world.agent)
    stored = [
        stored_by_webhook(world, held, NATIONAL_ID, f"x{cred_def_id}", cred_def_id=cred_def_id)
        for cred_def_id in "ABC"[:items]
    ]
    request = {"name": "t", "version": "1.0", "requested_predicates": {}}
    request["requested_attributes"] = {
        f"item{c}": {"name": "nationality", "restrictions": [{"cred_def_id": c}]}
        for c in "ABC"[:items]
    }
    record = world.fake.requests[world.fake.add_request(request)]
    before = world.count("GET", "/tessera/credentials/changes")
    calls, reads = len(world.calls), len(world.read_ids)
    found = present.assess(world.agent, record, lookup=held.candidates)
    assert all(found.usable[f"item{c}"] for c in "ABC"[:items])
    assert world.count("GET", "/tessera/credentials/changes") - before == 1
    listings = [
        c for c in world.calls[calls:] if c[:2] == ("GET", "/credentials") and "wql" in c[2]
    ]
    by_id = world.read_ids[reads:]
    # One call reads every item's credentials: a listing for one item, by id for more.
    assert (len(listings), by_id) == ((1, []) if items == 1 else (0, [stored]))


def test_a_predicate_none_of_the_newest_meet_is_looked_up_whole(world, tmp_path):
    held = HeldCredentials(lambda: NOW, keep=2)
    held.open(tmp_path, secrets.token_bytes(32))
    held.fresh(world.agent)
    rich = [stored_by_webhook(world, held, INCOME, f"r{i}") for i in range(2)]
    for i in range(2):
        stored_by_webhook(world, held, dict(INCOME, annual_income="100"), f"p{i}")
    request = request_for("annual_income", [{"cred_def_id": "cd"}], p_type=">=", p_value=30000)
    record = world.fake.requests[world.fake.add_request(request)]
    found = present.assess(world.agent, record, lookup=held.candidates)
    assert sorted(c.cred_id for c in found.usable["item"]) == sorted(rich)
    assert found.cut == {}  # looked up whole: nothing left unlooked at


def test_restrictions_the_index_cannot_answer_are_left_to_acapy(world, held):
    cred_id = stored_by_webhook(world, held, NATIONAL_ID, "x1")
    restrictions = [{"attr::nationality::value": "FR"}]
    record = world.fake.requests[world.fake.add_request(request_for("nationality", restrictions))]
    found = present.assess(world.agent, record, lookup=held.candidates)
    assert [c.cred_id for c in found.usable["item"]] == [cred_id]
    assert world.count("GET", "/present-proof-2.0/records/") == 1
