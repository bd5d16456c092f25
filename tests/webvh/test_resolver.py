"""Resolving attested resources over HTTPS from a real server: what passes, what is refused."""

import asyncio
import copy
import json
import socket

import pytest
from aiohttp import web
from did_webvh.core.state import DocumentState

from wallet.webvh import attested
from wallet.webvh.cache import VerifiedCache, Watermarks
from wallet.webvh.did import did_key_reference
from wallet.webvh.didres import DidDocuments
from wallet.webvh.egress import Policy
from wallet.webvh.errors import FetchRefused, NotPublished, Rollback, Tampered, Unreachable
from wallet.webvh.fetch import Fetcher
from wallet.webvh.ids import parse_resource_id, resource_id
from wallet.webvh.proof import create_proof
from wallet.webvh.resolver import ResourceResolver
from wallet.webvh.statuslist import Entry

from .helpers import HOST, NOW, HandlerServer, Site, local_key, make_issuer


@pytest.fixture
def site(tmp_path):
    with Site(tmp_path) as running:
        yield running


@pytest.fixture
def issuer(site):
    return make_issuer(site.root, site.port)


def resolver_for(site, watermarks=None, **policy):
    fetcher = site.fetcher(**policy)
    return ResourceResolver(fetcher, DidDocuments(fetcher), VerifiedCache(), watermarks)


def schema_of(did, name="identity"):
    return {"issuerId": did, "attrNames": ["a", "b"], "name": name, "version": "1.0"}


def resolve(site, object_id, kinds=attested.KINDS, **policy):
    async def go():
        resolver = resolver_for(site, **policy)
        try:
            return await resolver.resource(object_id, kinds)
        finally:
            await resolver.fetcher.close()

    return asyncio.run(go())


def test_a_published_schema_resolves_and_is_then_served_from_the_cache(site, issuer):
    signed = issuer.publish(schema_of(issuer.did), attested.SCHEMA, "identity")

    async def twice():
        resolver = resolver_for(site)
        first = await resolver.resource(signed["id"], (attested.SCHEMA,))
        hits = sum(site.server.hits.values())
        second = await resolver.resource(signed["id"], (attested.SCHEMA,))
        await resolver.fetcher.close()
        return first, second, hits

    first, second, hits = asyncio.run(twice())
    assert first == second == signed
    assert hits == 2  # the DID log and the resource, once each
    assert sum(site.server.hits.values()) == 2
    assert first["metadata"] == {
        "resourceId": parse_resource_id(signed["id"]).digest,
        "resourceType": "anonCredsSchema",
        "resourceName": "identity",
    }


def _edit_content(doc):
    doc["content"]["attrNames"].append("extra")


def _other_resource(issuer):
    return issuer.publish(schema_of(issuer.did, "other"), attested.SCHEMA, "other")


# (name, how the served document is made from the good one, expected message)
TAMPERS = [
    ("tampered digest", lambda good, issuer: _mutate(good, _edit_content), "hashes to"),
    ("swapped", lambda good, issuer: _other_resource(issuer), "swapped"),
    (
        "forged proof",
        lambda good, issuer: _resign(good, local_key().sign, issuer.method_id),
        "does not verify",
    ),
    (
        "key not in the DID",
        lambda good, issuer: _resign(good, local_key().sign, issuer.did + "#key-02"),
        "not an assertion key",
    ),
    (
        "signed by the update key",
        lambda good, issuer: _resign(
            good, issuer.update.sign, did_key_reference(issuer.update.multikey)
        ),
        "not by its issuer",
    ),
    (
        "wrong resource type",
        lambda good, issuer: _resign(
            _mutate(good, lambda d: d["metadata"].update(resourceType="anonCredsCredDef")),
            issuer.assertion.sign,
            issuer.method_id,
        ),
        "is a credential definition, not a schema",
    ),
    (
        "metadata names another digest",
        lambda good, issuer: _resign(
            _mutate(good, lambda d: d["metadata"].update(resourceId="zQmXyz")),
            issuer.assertion.sign,
            issuer.method_id,
        ),
        "resourceId",
    ),
    ("proof removed", lambda good, issuer: _mutate(good, lambda d: d.pop("proof")), "no single"),
]


def _mutate(doc, change):
    doc = copy.deepcopy(doc)
    change(doc)
    return doc


def _resign(doc, signer, method):
    body = {k: v for k, v in doc.items() if k != "proof"}
    return {**body, "proof": asyncio.run(create_proof(body, signer, method, NOW))}


@pytest.mark.parametrize(("make", "message"), [t[1:] for t in TAMPERS], ids=[t[0] for t in TAMPERS])
def test_tampered_resources_are_refused_with_a_reason(site, issuer, make, message):
    good = issuer.publish(schema_of(issuer.did), attested.SCHEMA)
    served = make(good, issuer)
    rid = parse_resource_id(good["id"])
    issuer.publication.resource_file(rid).write_text(json.dumps(served))
    with pytest.raises(Tampered, match=message):
        resolve(site, good["id"], (attested.SCHEMA,))


def test_garbage_is_refused(site, issuer):
    good = issuer.publish(schema_of(issuer.did), attested.SCHEMA)
    issuer.publication.resource_file(parse_resource_id(good["id"])).write_bytes(b"<html>")
    with pytest.raises(Tampered, match="not JSON"):
        resolve(site, good["id"])


def test_a_missing_resource_is_not_published(site, issuer):
    missing = resource_id(issuer.did, schema_of(issuer.did, "never"))
    with pytest.raises(NotPublished, match="404"):
        resolve(site, missing)


def _second_entry(issuer, sign_with=None, edit=None):
    """Return the log with a second, signed entry (edited after signing if asked)."""
    first = DocumentState.load_history_json(issuer.log[0], None)
    state = first.create_next(params_update={"ttl": 60}, timestamp=NOW.replace(hour=13))
    key = sign_with or issuer.update
    proof = asyncio.run(
        create_proof(
            state.history_line(), key.sign, did_key_reference(key.multikey), state.timestamp
        )
    )
    state.proofs.append(proof)
    line = json.loads(state.history_json())
    if edit:
        edit(line)
    return [issuer.log[0], json.dumps(line)]


def _edit_genesis(issuer):
    line = json.loads(issuer.log[0])
    line["state"]["assertionMethod"] = []
    return [json.dumps(line)]


OTHER_HASH = "QmVnzB7aDhwLcK1iqsS1HBtnFr5ck9LCaYNzUVLxNpx6Mw"
BROKEN_LOGS = [
    ("genesis edited", _edit_genesis),
    (
        "second entry's hash changed",
        lambda i: _second_entry(i, edit=lambda line: line.update(versionId="2-" + OTHER_HASH)),
    ),
    ("second entry signed by another key", lambda i: _second_entry(i, sign_with=local_key())),
    (
        "second entry's state edited",
        lambda i: _second_entry(i, edit=lambda line: line["state"].update(assertionMethod=[])),
    ),
    ("empty log", lambda i: []),
    ("not JSON lines", lambda i: ["{not json"]),
]


@pytest.mark.parametrize("make", [b[1] for b in BROKEN_LOGS], ids=[b[0] for b in BROKEN_LOGS])
def test_a_broken_did_log_makes_everything_it_signs_untrusted(site, issuer, make):
    good = issuer.publish(schema_of(issuer.did), attested.SCHEMA)
    issuer.write_log(make(issuer))
    with pytest.raises(Tampered, match="DID log"):
        resolve(site, good["id"])


def test_a_valid_second_log_entry_is_accepted(site, issuer):
    good = issuer.publish(schema_of(issuer.did), attested.SCHEMA)
    issuer.write_log(_second_entry(issuer))
    assert resolve(site, good["id"]) == good


def _rev_reg(issuer):
    content = {
        "issuerId": issuer.did,
        "revocDefType": "CL_ACCUM",
        "credDefId": resource_id(issuer.did, {"cred": "def"}),
        "tag": "0",
        "value": {"maxCredNum": 4},
    }
    return content


def _status_list(issuer, rev_reg_id, stamp, bits):
    content = {
        "issuerId": issuer.did,
        "revRegDefId": rev_reg_id,
        "revocationList": bits,
        "currentAccumulator": f"21 {stamp}",
        "timestamp": stamp,
    }
    signed = issuer.publish(content, attested.STATUS_LIST, "0")
    return Entry(stamp, signed["id"])


def test_status_lists_are_found_by_time_and_a_rollback_is_refused(site, issuer, tmp_path):
    rev_reg = _rev_reg(issuer)
    rev_reg_id = resource_id(issuer.did, rev_reg)
    first = _status_list(issuer, rev_reg_id, 1000, [0, 0, 0, 0])
    second = _status_list(issuer, rev_reg_id, 2000, [0, 1, 0, 0])
    issuer.publish(rev_reg, attested.REV_REG_DEF, "0", links=[first.to_link(), second.to_link()])
    marks = tmp_path / "marks.json"

    async def read(at, watermarks):
        resolver = resolver_for(site, watermarks=watermarks)
        try:
            return await resolver.status_list(rev_reg_id, at)
        finally:
            await resolver.fetcher.close()

    assert asyncio.run(read(1500, Watermarks(marks)))["revocationList"] == [0, 0, 0, 0]
    assert asyncio.run(read(None, Watermarks(marks)))["revocationList"] == [0, 1, 0, 0]

    # The server goes back to the index before the revocation, properly signed: refused,
    # also by a resolver started afterwards (the watermark is on disk).
    issuer.publish(rev_reg, attested.REV_REG_DEF, "0", links=[first.to_link()])
    with pytest.raises(Rollback, match="rollback"):
        asyncio.run(read(None, Watermarks(marks)))
    assert asyncio.run(read(None, Watermarks()))["revocationList"] == [0, 0, 0, 0]


def test_a_status_list_linked_at_the_wrong_time_is_refused(site, issuer):
    rev_reg = _rev_reg(issuer)
    rev_reg_id = resource_id(issuer.did, rev_reg)
    listed = _status_list(issuer, rev_reg_id, 1000, [0, 0, 0, 0])
    issuer.publish(rev_reg, attested.REV_REG_DEF, "0", links=[Entry(3000, listed.id).to_link()])

    async def read():
        resolver = resolver_for(site)
        try:
            return await resolver.status_list(rev_reg_id, None)
        finally:
            await resolver.fetcher.close()

    with pytest.raises(Tampered, match="not to"):
        asyncio.run(read())


def test_a_50_mib_resource_is_refused_and_nothing_kept(site, issuer):
    good = issuer.publish(schema_of(issuer.did), attested.SCHEMA)
    path = issuer.publication.resource_file(parse_resource_id(good["id"]))
    with path.open("wb") as out:
        out.truncate(50 * 1024 * 1024)

    async def go():
        resolver = resolver_for(site)
        try:
            with pytest.raises(FetchRefused, match="larger than 8388608 bytes"):
                await resolver.resource(good["id"])
            return resolver.cache.get(parse_resource_id(good["id"]))
        finally:
            await resolver.fetcher.close()

    assert asyncio.run(go()) is None


def _serve(site, tmp_path, handler):
    tls = site.ca.issue_server([HOST], tmp_path / "tls2", NOW)
    return HandlerServer(tls, handler)


def _fetch(site, url, **policy):
    async def go():
        fetcher = site.fetcher(**policy)
        try:
            return await fetcher.get(url)
        finally:
            await fetcher.close()

    return asyncio.run(go())


def test_a_body_streamed_past_the_cap_is_cut_off(site, tmp_path):
    async def stream(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        for _ in range(40):
            await resp.write(b"x" * 65536)
        return resp

    server = _serve(site, tmp_path, stream).start()
    try:
        with pytest.raises(FetchRefused, match="larger than 1048576"):
            _fetch(site, f"https://{HOST}:{server.port}/r", max_bytes=1024 * 1024)
    finally:
        server.stop()


# Redirects to private or link-local addresses are refused by the pure policy
# (test_egress.py); a live server here only ever points at this machine, so a fetcher
# that wrongly followed a redirect could still send nothing off it.
@pytest.mark.parametrize(
    ("location", "message"),
    [(f"https://{HOST}:9/resources/x", "not followed"), ("/other", "not followed")],
)
def test_a_redirect_is_refused_not_followed(site, tmp_path, location, message):
    async def redirect(request):
        raise web.HTTPFound(location)

    server = _serve(site, tmp_path, redirect).start()
    try:
        with pytest.raises(FetchRefused, match=message):
            _fetch(site, f"https://{HOST}:{server.port}/r")
    finally:
        server.stop()


def test_a_server_that_does_not_answer_in_time_is_unreachable(site, tmp_path):
    async def slow(request):
        await asyncio.sleep(5)
        return web.Response(text="late")

    server = _serve(site, tmp_path, slow).start()
    try:
        with pytest.raises(Unreachable, match=rf"{HOST} cannot be reached.*within 0.5 s"):
            _fetch(site, f"https://{HOST}:{server.port}/r", timeout=0.5)
    finally:
        server.stop()


def test_an_unreachable_host_is_named(site, issuer):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    did = issuer.did.replace(f"%3A{site.port}", f"%3A{port}")
    with pytest.raises(Unreachable, match=rf"issuer's host {HOST} cannot be reached right now"):
        resolve(site, resource_id(did, schema_of(did)))


def test_a_certificate_from_an_untrusted_ca_is_refused(site, issuer):
    good = issuer.publish(schema_of(issuer.did), attested.SCHEMA)

    async def go():
        fetcher = Fetcher(Policy(allow_loopback=True))  # the system's CAs only
        resolver = ResourceResolver(fetcher, DidDocuments(fetcher))
        try:
            await resolver.resource(good["id"])
        finally:
            await fetcher.close()

    with pytest.raises(Unreachable, match="not trusted"):
        asyncio.run(go())


def test_localhost_names_are_refused_outside_test_configuration(site, issuer):
    good = issuer.publish(schema_of(issuer.did), attested.SCHEMA)

    async def go():
        fetcher = Fetcher(Policy(allow_loopback=False), site.fetcher().tls)
        try:
            await ResourceResolver(fetcher, DidDocuments(fetcher)).resource(good["id"])
        finally:
            await fetcher.close()

    with pytest.raises(FetchRefused, match="this machine"):
        asyncio.run(go())
