"""Issuer, holder and verifier in separate homes, sharing nothing but the issuer's HTTPS server.

Real ACA-Py agents over DIDComm: the issuer publishes on did:webvh, the holder and the
verifier fetch and verify its objects over HTTPS; issue, prove, revoke, prove again.
"""

import datetime
import json
import time
from pathlib import Path

import pytest
import yaml
from console.conftest import make_console

from wallet import scenario
from wallet.errors import UnsatisfiableRequest, UntrustedRegistryObject
from wallet.flows import issue, present, revocation
from wallet.settings import ROLES
from wallet.webvh import admin
from wallet.webvh.ids import parse_did, parse_resource_id

pytestmark = pytest.mark.e2e

INCOME = scenario.INCOME


@pytest.fixture(scope="module")
def published(webvh_world):
    """The issuer's DID, every schema and cred def, a revocable income cred def; credentials."""
    world = webvh_world
    world.issuer_did = admin.issuer_did(world.issuer)
    for name, schema in world.schemas.items():
        world.schema_ids[name] = issue.publish_schema(world.issuer, world.issuer_did, schema)
        world.cred_defs[name] = issue.create_cred_def(
            world.issuer, world.issuer_did, world.schema_ids[name]
        )
    revocable = revocation.create_revocable_cred_def(
        world.issuer, world.issuer_did, world.schema_ids[INCOME], registry_size=4
    )
    scenario.connect_holder(world)
    world.cred_ids = scenario.issue_person(world, scenario.load_person())
    return world, revocable


def test_the_issuer_has_a_did_webvh_on_its_own_https_host(published):
    world, _ = published
    did = parse_did(world.issuer_did)
    assert (did.host, did.port) == (world.network.site.host, world.network.site.port)
    assert admin.issuer_did(world.issuer) == world.issuer_did  # made once
    for object_id in [*world.schema_ids.values(), *world.cred_defs.values()]:
        assert parse_resource_id(object_id).did == did


def _paths_in(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _paths_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _paths_in(item)
    elif isinstance(value, str):
        for part in value.replace("=", " ").split():
            if part.startswith("/"):
                yield part


def _owner(path, homes):
    """Return the role whose home holds `path` most closely (homes may nest), or None."""
    path = path.resolve()
    holding = [r for r, h in homes.items() if h == path or h in path.parents]
    return max(holding, key=lambda r: len(homes[r].parts), default=None)


def test_no_party_names_a_file_of_another(published):
    world, _ = published
    homes = {role: world.homes[role].resolve() for role in ROLES}
    for role in ROLES:
        args = yaml.safe_load(world.parties[role].process.arg_file.read_text())
        assert "wallet.webvh" in args["plugin"] and "wallet.registry" not in args["plugin"]
        paths = list(_paths_in(args))
        assert paths, f"the {role}'s options name no file at all"
        for path in paths:
            assert _owner(Path(path), homes) == role, f"the {role}'s options name {path}"
    # None of them uses a shared registry directory.
    assert not any((world.homes[role] / "registry").exists() for role in ROLES)


def test_a_proof_verifies_with_objects_fetched_and_checked_over_https(published):
    world, _ = published
    before = sum(world.parties["issuer"].publication.hits.values())
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    result = scenario.prove(world, request)
    assert result.verified, result.record.get("verified_msgs")
    assert result.revealed == {"nationality": "FR"}
    assert sum(world.parties["issuer"].publication.hits.values()) >= before
    hits = world.parties["issuer"].publication.hits
    for cred_def_id in world.cred_defs.values():
        path = "/" + "/".join(parse_resource_id(cred_def_id).web_path)
        assert hits[path] >= 2, f"holder and verifier each fetched {path} once: {hits}"
    for role in ("holder", "verifier"):
        assert admin.check(getattr(world, role), world.cred_defs[INCOME])["ok"]


def _issue_revocable(world, cred_def_id):
    values = scenario.load_person()[INCOME]
    schema = world.schemas[INCOME]
    conn = world.issuer_conn
    cred_ex_id = issue.offer_credential(world.issuer, conn, cred_def_id, schema, values)
    record = world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}")
    theirs = issue.wait_offer(world.holder, record["cred_ex_record"]["thread_id"])
    cred_id = issue.accept_offer(world.holder, theirs)
    world.issuer.wait(
        lambda: world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}"),
        lambda d: d["cred_ex_record"]["state"] == "done",
        what=f"issuance {cred_ex_id}",
        topics=issue.TOPICS,
    )
    return cred_ex_id, cred_id


def _income_request(cred_def_id, now):
    request = {
        "name": "Income check",
        "version": "1.0",
        "requested_attributes": {},
        "requested_predicates": {
            "income": {
                "name": "annual_income",
                "p_type": ">=",
                "p_value": 30000,
                "restrictions": [{"cred_def_id": cred_def_id}],
            }
        },
    }
    return revocation.non_revoked(request, now)


def _ask(world, request):
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    return pres_ex_id, present.wait_request(world.holder, thread_id)


def test_issue_prove_revoke_prove_again_fails_as_revoked(published):
    world, cred_def_id = published
    cred_ex_id, cred_id = _issue_revocable(world, cred_def_id)
    rev_reg_id = revocation.issued_record(world.issuer, cred_ex_id)["rev_reg_id"]

    pres_ex_id, record = _ask(world, _income_request(cred_def_id, time.time()))
    present.present(world.holder, record, chosen={"income": cred_id})
    assert present.wait_verified(world.verifier, pres_ex_id).verified

    index_file = "/" + "/".join(parse_resource_id(rev_reg_id).web_path)
    published_index = world.homes["issuer"] / "webvh" / "publish" / index_file.lstrip("/")
    links_before = json.loads(published_index.read_text())["links"]
    assert revocation.revoke(world.issuer, cred_ex_id, comment="Contract ended")["state"] == (
        "revoked"
    )
    links_after = json.loads(published_index.read_text())["links"]
    assert len(links_after) == len(links_before) + 1  # a new status list, linked by time
    assert links_after[-1]["timestamp"] > links_before[-1]["timestamp"]

    # The holder learns it over HTTPS: Tessera no longer offers the credential...
    assert revocation.is_revoked(world.holder, cred_id, at=time.time())
    pres_ex_id, record = _ask(world, _income_request(cred_def_id, time.time()))
    with pytest.raises(UnsatisfiableRequest, match="only a revoked credential"):
        present.present(world.holder, record, chosen={"income": cred_id})
    # ...and a wallet presenting it anyway fails at the verifier, as revoked.
    world.holder.admin.post(
        f"/present-proof-2.0/records/{record['pres_ex_id']}/send-presentation",
        {
            "anoncreds": {
                "requested_attributes": {},
                "requested_predicates": {"income": {"cred_id": cred_id}},
                "self_attested_attributes": {},
            }
        },
    )
    result = present.wait_verified(world.verifier, pres_ex_id)
    assert not result.verified
    assert result.revoked and result.reason.startswith("revoked:")


def _edit_key(doc, world):
    doc["content"]["value"]["primary"]["n"] = str(int(doc["content"]["value"]["primary"]["n"]) + 2)


def _swap_content(doc, world):
    other = parse_resource_id(world.cred_defs[scenario.IDENTITY])
    doc["content"] = json.loads((_served(world, other)).read_text())["content"]


def _served(world, rid):
    return world.homes["issuer"].joinpath("webvh", "publish", *rid.web_path)


@pytest.mark.parametrize("change", [_edit_key, _swap_content], ids=["edited", "swapped"])
def test_an_object_tampered_on_the_server_is_refused_by_whoever_fetches_it(published, change):
    world, _ = published
    tag = "tamper-" + change.__name__.strip("_")
    cred_def_id = issue.create_cred_def(
        world.issuer, world.issuer_did, world.schema_ids[INCOME], tag=tag
    )
    path = _served(world, parse_resource_id(cred_def_id))
    good = path.read_text()
    doc = json.loads(good)
    change(doc, world)
    path.write_text(json.dumps(doc))
    try:
        for party in (world.holder, world.verifier):
            answer = admin.check(party, cred_def_id)
            assert answer["status"] == 422 and not answer["ok"], answer
            assert "failed its integrity check" in answer["reason"], answer
    finally:
        path.write_text(good)
    assert admin.check(world.verifier, cred_def_id)["ok"]


def test_an_unreachable_issuer_is_named_and_nothing_is_sent(published):
    world, cred_def_id = published
    _cred_ex_id, cred_id = _issue_revocable(world, cred_def_id)
    rev_reg_id = revocation.issued_record(world.issuer, _cred_ex_id)["rev_reg_id"]
    server = world.parties["issuer"].publication
    server.stop()
    try:
        answer = admin.check(world.holder, rev_reg_id)
        assert answer["status"] == 503 and answer["host"] == world.network.site.host, answer
        assert f"{world.network.site.host} cannot be reached right now" in answer["reason"]
        pres_ex_id, record = _ask(world, _income_request(cred_def_id, time.time()))
        with pytest.raises(UntrustedRegistryObject) as caught:
            present.present(world.holder, record, chosen={"income": cred_id})
        message = str(caught.value)
        assert message.startswith(
            "Nothing was sent: this firm's credential type cannot be checked right now"
        ), message
        assert world.network.site.host in message and message.endswith("Try again later.")
        assert world.verifier.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")["state"] == (
            "request-sent"
        )
    finally:
        server.start()
    present.decline(world.holder, record["pres_ex_id"], "test over")
    pres_ex_id, record = _ask(world, _income_request(cred_def_id, time.time()))
    present.present(world.holder, record, chosen={"income": cred_id})
    assert present.wait_verified(world.verifier, pres_ex_id).verified


def test_a_rolled_back_revocation_index_is_refused_and_nothing_is_sent(published):
    world, cred_def_id = published
    first_ex, _first = _issue_revocable(world, cred_def_id)
    _second_ex, second = _issue_revocable(world, cred_def_id)
    rev_reg_id = revocation.issued_record(world.issuer, first_ex)["rev_reg_id"]
    index = world.homes["issuer"].joinpath(
        "webvh", "publish", *parse_resource_id(rev_reg_id).web_path
    )
    before = index.read_text()
    pres_ex_id, record = _ask(world, _income_request(cred_def_id, time.time()))
    present.present(world.holder, record, chosen={"income": second})  # the holder sees the index
    assert present.wait_verified(world.verifier, pres_ex_id).verified
    revocation.revoke(world.issuer, first_ex, comment="Contract ended")
    assert revocation.is_revoked(world.holder, _first, at=time.time())  # it saw the new index
    after = index.read_text()
    index.write_text(before)  # the server goes back to the index without the revocation
    try:
        pres_ex_id, record = _ask(world, _income_request(cred_def_id, time.time() + 1))
        with pytest.raises(UntrustedRegistryObject, match="rollback") as caught:
            present.present(world.holder, record, chosen={"income": second})
        assert str(caught.value).startswith("Nothing was sent")
        assert world.verifier.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")["state"] == (
            "request-sent"
        )
    finally:
        index.write_text(after)
    present.decline(world.holder, record["pres_ex_id"], "test over")


def test_a_verifier_that_cannot_reach_the_issuer_says_why(published, tmp_path):
    world, _ = published
    # A credential definition the verifier has never resolved; the holder has (it stored one).
    cred_def_id = issue.create_cred_def(
        world.issuer, world.issuer_did, world.schema_ids[INCOME], tag="verifier-cold"
    )
    values = scenario.load_person()[INCOME]
    cred_id = issue.issue(
        world.issuer, world.holder, world.issuer_conn, cred_def_id, world.schemas[INCOME], values
    )
    request = _income_request(cred_def_id, time.time())
    del request["non_revoked"]
    console = make_console("verifier", world.verifier, tmp_path, TRUSTED_CRED_DEFS=[cred_def_id])
    server = world.parties["issuer"].publication
    server.stop()
    try:
        pres_ex_id, record = _ask(world, request)
        present.present(world.holder, record, chosen={"income": cred_id})  # from its cache
        page = console.get(f"/verifier/results/{pres_ex_id}").text
        assert "This proof cannot be checked now" in page
        assert f"{world.network.site.host} cannot be reached right now" in page
        assert ">Verified<" not in page
    finally:
        server.start()
    assert admin.check(world.verifier, cred_def_id)["ok"]
