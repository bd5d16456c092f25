"""Issuer console revocation with a fake agent: publish revocable, revoke one, revoke a batch."""

import time

import pytest

from wallet.agent.handle import Agent

from .conftest import make_console
from .fakes import CONNECTION, ISSUER_DID, FakeAdmin

REV_REG = ISSUER_DID + "/revreg/R1"
REVOCABLE_CRED_DEF = ISSUER_DID + "/creddef/REVOCABLE"


def exchange(cred_ex_id, rev_reg_id=None, state="done"):
    """Return an issuer-side exchange list item."""
    record = {
        "cred_ex_id": cred_ex_id,
        "connection_id": CONNECTION["connection_id"],
        "state": state,
        "updated_at": f"2026-11-29T10:00:0{cred_ex_id[-1]}Z",
        "by_format": {"cred_offer": {"anoncreds": {"schema_id": "s"}}},
    }
    return {"cred_ex_record": record, "anoncreds": {"rev_reg_id": rev_reg_id}}


class RevocationAdmin(FakeAdmin):
    """The console fake plus a tails server, revocable issuances and revocation calls."""

    def __init__(self):
        """Three issued: two revocable (one already revoked), one not."""
        super().__init__()
        self.bodies = []
        self.exchanges = [
            exchange("ex-1", REV_REG),
            exchange("ex-2", REV_REG),
            exchange("ex-3", REV_REG),
            exchange("ex-4"),
        ]
        self.states = {"ex-1": "issued", "ex-2": "issued", "ex-3": "revoked"}

    def get(self, path, **params):
        """Answer revocation reads; the rest as `FakeAdmin`."""
        if path == "/issue-credential-2.0/records":
            self.calls.append(("GET", path))
            return {"results": self.exchanges}
        if path.startswith("/anoncreds/revocation/registry/") and path.endswith("/details"):
            self.calls.append(("GET", path))
            return [
                {"cred_ex_id": k, "state": v, "rev_reg_id": REV_REG} for k, v in self.states.items()
            ]
        if path.startswith("/anoncreds/revocation/active-registry/"):
            self.calls.append(("GET", path))
            return {"result": {"state": "finished"}}
        if path == "/anoncreds/revocation/credential-record":
            return {"result": {"state": self.states[params["cred_ex_id"]]}}
        return super().get(path, **params)

    def post(self, path, body=None, **params):
        """Record revocation writes."""
        self.bodies.append((path, body))
        if path == "/anoncreds/revocation/revoke" and body.get("publish"):
            self.states[body["cred_ex_id"]] = "revoked"
        if path == "/anoncreds/credential-definition":
            self.calls.append(("POST", path))
            state = {"state": "finished", "credential_definition_id": REVOCABLE_CRED_DEF}
            return {"credential_definition_state": state}
        if path == "/anoncreds/revocation/publish-revocations":
            self.calls.append(("POST", path))
            return {"rrid2crid": {REV_REG: ["1", "2"]}}
        return super().post(path, body, **params)

    def status_config(self):
        """Return a config with a tails server."""
        return {"tails_server_base_url": "http://127.0.0.1:6543"}

    def request(self, method, path, *, json_body=None, params=None, timeout=None):
        """Route the flows' direct `request` calls."""
        assert method == "POST"
        return self.post(path, json_body)


@pytest.fixture
def console(tmp_path):
    """A logged-in issuer console over the revocation fake."""
    return make_console(
        "issuer", Agent("issuer", RevocationAdmin()), tmp_path, REVOCATION_REGISTRY_SIZE=8
    )


def admin_of(console):
    """Return the fake admin."""
    return console.app.extensions["tessera"]["agent"].admin


def revocations(console):
    """Return the revocation writes made."""
    return [(p, b) for p, b in admin_of(console).bodies if "/revocation/" in p]


def test_publish_with_revocation_creates_a_revocable_cred_def(console):
    response = console.post("/issuer/schemas/national_id/publish", {"revocation": "on"})
    assert response.status_code == 302
    job_url = response.headers["Location"] + ".json"
    deadline = time.monotonic() + 10
    while (job := console.get(job_url).json)["state"] == "running":
        assert time.monotonic() < deadline, "the publish job did not finish"
        time.sleep(0.02)  # polling interval, bounded by the deadline
    assert job["state"] == "done", job
    assert job["result"]["cred_def_id"] == REVOCABLE_CRED_DEF
    created = [b for p, b in admin_of(console).bodies if p == "/anoncreds/credential-definition"]
    options = created[0]["options"]
    assert options == {"support_revocation": True, "revocation_registry_size": 8}
    assert created[0]["credential_definition"]["tag"] == "revocable"


def test_issued_list_shows_revocation_and_offers_revoke_only_where_it_can(console):
    page = console.get("/issuer/issued").text

    def row(cred_ex_id):
        start = page.index(f'id="issued-{cred_ex_id}"')
        return page[start : page.index("</tr>", start)]

    for cred_ex_id in ("ex-1", "ex-2"):
        assert "revocable" in row(cred_ex_id) and 'name="id"' in row(cred_ex_id)
        assert f"/issuer/revoke?id={cred_ex_id}" in row(cred_ex_id)
    assert ">revoked<" in row("ex-3") and "Revoke" not in row("ex-3")
    assert "cannot be revoked" in row("ex-4") and "Revoke" not in row("ex-4")


def test_revoke_one_asks_to_confirm_then_revokes_and_publishes(console):
    page = console.get("/issuer/revoke?id=ex-1")
    assert page.status_code == 200 and "cannot be undone" in page.text
    assert revocations(console) == []
    response = console.post("/issuer/revoke", {"id": "ex-1", "reason": "Contract ended"})
    assert response.status_code == 302
    assert revocations(console) == [
        (
            "/anoncreds/revocation/revoke",
            {"cred_ex_id": "ex-1", "publish": True, "comment": "Contract ended"},
        )
    ]
    assert "Revoked 1 credential" in console.get("/issuer/issued").text


def test_batch_revoke_publishes_once(console):
    response = console.client.post(
        "/issuer/revoke",
        data={"csrf_token": console.csrf, "id": ["ex-1", "ex-2"], "reason": "Employer closed"},
    )
    assert response.status_code == 302
    paths = [p for p, _ in revocations(console)]
    assert paths == [
        "/anoncreds/revocation/revoke",
        "/anoncreds/revocation/revoke",
        "/anoncreds/revocation/publish-revocations",
    ]
    assert all(b["publish"] is False for p, b in revocations(console) if p.endswith("/revoke"))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"id": "ex-1", "reason": "  "}, "Give a reason"),
        ({"id": "ex-1", "reason": "x" * 201}, "under 200 characters"),
        ({"id": "ex-3", "reason": "again"}, "revoked already"),
        ({"id": "ex-4", "reason": "no registry"}, "without revocation support"),
        ({"id": "ex-9", "reason": "unknown"}, "No issued credential ex-9"),
        ({"reason": "nothing picked"}, "Pick at least one"),
    ],
)
def test_bad_revocations_are_refused_and_nothing_is_revoked(console, data, says):
    response = console.post("/issuer/revoke", data)
    assert response.status_code == 400 and says in response.text
    assert revocations(console) == []


def test_revoke_without_csrf_token_is_refused(console):
    response = console.client.post("/issuer/revoke", data={"id": "ex-1", "reason": "r"})
    assert response.status_code == 400 and revocations(console) == []
