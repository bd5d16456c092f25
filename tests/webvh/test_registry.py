"""The ACA-Py registrar and resolver over a real wallet and a real HTTPS server.

The issuer's DID and its keys live in an in-memory askar-anoncreds profile; what it
registers is written to the publication directory and read back over HTTPS by a
resolver that shares nothing with it but the server.
"""

import asyncio
import json

import pytest
from acapy_agent.anoncreds.base import (
    AnonCredsObjectNotFound,
    AnonCredsRegistrationError,
    AnonCredsResolutionError,
)
from acapy_agent.anoncreds.models.credential_definition import CredDef
from acapy_agent.anoncreds.models.revocation import RevList, RevRegDef
from acapy_agent.anoncreds.models.schema import AnonCredsSchema
from acapy_agent.utils.testing import create_test_profile
from anoncreds import (
    CredentialDefinition,
    RevocationRegistryDefinition,
    RevocationStatusList,
    Schema,
)

from wallet.webvh import build
from wallet.webvh.attested import CRED_DEF
from wallet.webvh.config import Site as PublishSite
from wallet.webvh.config import WebvhConfig
from wallet.webvh.egress import Policy
from wallet.webvh.ids import parse_did, parse_resource_id
from wallet.webvh.issuing import Issuing
from wallet.webvh.publication import Publication

from .helpers import HOST, Site


class Clock:
    """A settable clock (seconds)."""

    value = 1_000_000.0

    def __call__(self) -> float:
        """Return the current value."""
        return self.value


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A running HTTPS site; yields a function running a scenario against fresh registries."""
    tmp = tmp_path_factory.mktemp("registry")
    with Site(tmp) as site:
        yield site


def registries(site, clock):
    """Return (issuer's registry, a separate verifier's registry)."""
    policy = Policy(allow_loopback=True)
    issuer = build(
        WebvhConfig(
            policy=policy,
            ca_file=site.ca.cert_file,
            publish_dir=site.root,
            site=PublishSite(HOST, site.port),
        )
    )
    issuer.issuing = Issuing(Publication(site.root), clock)
    verifier = build(WebvhConfig(policy=policy, ca_file=site.ca.cert_file))
    return issuer, verifier


def run(site, scenario):
    async def main():
        clock = Clock()
        issuer, verifier = registries(site, clock)
        profile = await create_test_profile({"wallet.type": "askar-anoncreds"})
        try:
            return await scenario(issuer, verifier, profile, clock)
        finally:
            await profile.close()
            for registry in (issuer, verifier):
                await registry.resolver.fetcher.close()

    return asyncio.run(main())


async def publish_all(issuer, profile, clock, tmp_path):
    """Create the DID and register one object of each kind and three status lists."""
    did = (await issuer.identity(profile, create=True)).did
    schema_native = Schema.create("employment", "1.0", did, ["name", "income"])
    schema = AnonCredsSchema.deserialize(schema_native.to_dict())
    schema_id = (await issuer.register_schema(profile, schema)).schema_state.schema_id
    schema_result = await issuer.get_schema(profile, schema_id)
    cred_def_native, _private, _proof = CredentialDefinition.create(
        schema_id, schema_native, did, "default", "CL", support_revocation=True
    )
    cred_def = CredDef.deserialize(cred_def_native.to_dict())
    cred_def_id = (
        await issuer.register_credential_definition(profile, schema_result, cred_def)
    ).credential_definition_state.credential_definition_id
    rev_reg_native, rev_private = RevocationRegistryDefinition.create(
        cred_def_id, cred_def_native, did, "0", "CL_ACCUM", 4, tails_dir_path=str(tmp_path)
    )
    rev_reg_content = rev_reg_native.to_dict()
    rev_reg_def = RevRegDef.deserialize(rev_reg_content)
    rev_reg_id = (
        await issuer.register_revocation_registry_definition(profile, rev_reg_def)
    ).revocation_registry_definition_state.revocation_registry_definition_id
    native = RevocationStatusList.create(
        cred_def_native, rev_reg_id, rev_reg_content, rev_private, did
    )
    previous = RevList.from_native(native)
    stamps = [(await issuer.register_revocation_list(profile, rev_reg_def, previous))]
    for revoked, now in (([1], 1_000_000.0), ([2], 1_000_500.0)):
        clock.value = now
        native = native.update(cred_def_native, rev_reg_content, rev_private, None, revoked, 7)
        current = RevList.from_native(native)
        stamps.append(
            await issuer.update_revocation_list(profile, rev_reg_def, previous, current, revoked)
        )
        previous = current
    return {
        "did": did,
        "schema": (schema_id, schema_native.to_dict()),
        "cred_def": (cred_def_id, cred_def_native.to_dict()),
        "rev_reg": (rev_reg_id, rev_reg_content),
        "lists": [r.revocation_list_state.revocation_list for r in stamps],
    }


@pytest.fixture(scope="module")
def outcome(world, tmp_path_factory):
    """Publish once (credential definition keys take seconds); record what a verifier sees."""
    tails = tmp_path_factory.mktemp("tails")

    async def scenario(issuer, verifier, profile, clock):
        ids = await publish_all(issuer, profile, clock, tails)
        did, rev_reg_id = ids["did"], ids["rev_reg"][0]
        seen = {"ids": ids, "again": (await issuer.identity(profile, create=True)).did}
        seen["schema"] = await verifier.get_schema(profile, ids["schema"][0])
        seen["cred_def"] = await verifier.get_credential_definition(profile, ids["cred_def"][0])
        seen["rev_reg"] = await verifier.get_revocation_registry_definition(profile, rev_reg_id)
        seen["resolved_again"] = {  # resolved again: the same verified content, parsed once
            "schema": (await verifier.get_schema(profile, ids["schema"][0])).schema,
            "cred_def": (
                await verifier.get_credential_definition(profile, ids["cred_def"][0])
            ).credential_definition,
        }
        stamps = [rev_list.timestamp for rev_list in ids["lists"]]
        seen["stamps"], seen["lists"] = stamps, {}
        for at in (stamps[0], stamps[1], stamps[2] - 1, stamps[2], None):
            got = (await verifier.get_revocation_list(profile, rev_reg_id, 0, at)).revocation_list
            seen["lists"][at] = (got.timestamp, got.revocation_list)
        with pytest.raises(AnonCredsObjectNotFound, match="in force"):
            await verifier.get_revocation_list(profile, rev_reg_id, 0, stamps[0] - 1)
        seen["listed"] = await verifier.resolver.listed(did, "credentialDefinitions", CRED_DEF)
        # A forged entry in the (unsigned) index is refused; the rest is still found.
        index_file = Publication(world.root).index_file(parse_did(did))
        index = json.loads(index_file.read_text())
        seen["index"] = dict(index)
        forged = ids["schema"][0]  # a schema listed as a credential definition
        elsewhere = ids["cred_def"][0].replace(did, did.replace("Qm", "Qn", 1))
        index["credentialDefinitions"] = [*index["credentialDefinitions"], forged, elsewhere]
        index_file.write_text(json.dumps(index))
        fresh = build(WebvhConfig(policy=Policy(allow_loopback=True), ca_file=world.ca.cert_file))
        try:
            seen["forged"] = (
                forged,
                elsewhere,
                await fresh.resolver.listed(did, "credentialDefinitions", CRED_DEF),
            )
        finally:
            await fresh.resolver.fetcher.close()
        return seen

    return run(world, scenario)


def test_what_the_issuer_registers_a_separate_verifier_resolves(world, outcome):
    ids = outcome["ids"]
    assert parse_did(ids["did"]).port == world.port
    assert outcome["again"] == ids["did"]  # one DID per issuer, made once
    assert outcome["schema"].schema.serialize() == ids["schema"][1]
    assert outcome["schema"].schema_metadata["resourceType"] == "anonCredsSchema"
    cred_def = outcome["cred_def"].credential_definition
    assert cred_def.serialize() == ids["cred_def"][1]
    cred_def.to_native()
    assert outcome["resolved_again"]["schema"] is outcome["schema"].schema
    assert outcome["resolved_again"]["cred_def"] is cred_def
    assert outcome["rev_reg"].revocation_registry.serialize() == ids["rev_reg"][1]
    for kind in ("schema", "cred_def", "rev_reg"):
        object_id = ids[kind][0]
        assert object_id.startswith(ids["did"] + "/resources/zQm")
        published = json.loads(
            Publication(world.root).resource_file(parse_resource_id(object_id)).read_text()
        )
        assert published["proof"]["verificationMethod"] == ids["did"] + "#key-01"


def test_status_lists_are_stamped_in_order_and_found_by_time(outcome):
    stamps, found = outcome["stamps"], outcome["lists"]
    # The first two lists were registered at the same clock second: the second is one later.
    assert stamps == [1_000_000, 1_000_001, 1_000_500]
    assert found[stamps[0]] == (stamps[0], [0, 0, 0, 0])
    assert found[stamps[1]] == (stamps[1], [0, 1, 0, 0])
    assert found[stamps[2] - 1] == found[stamps[1]]
    assert found[stamps[2]] == found[None] == (stamps[2], [0, 1, 1, 0])


def test_a_verifier_finds_the_issuers_credential_definitions_through_its_index(outcome):
    ids = outcome["ids"]
    assert outcome["index"]["schemas"] == [ids["schema"][0]]
    assert outcome["listed"] == ([ids["cred_def"][0]], {})
    forged, elsewhere, (listed, refused) = outcome["forged"]
    assert listed == [ids["cred_def"][0]]
    assert "not a credential definition" in refused[forged]
    assert "is not a resource of" in refused[elsewhere]


def test_an_agent_without_the_did_cannot_register_for_it(world):
    async def scenario(issuer, verifier, profile, clock):
        other = f"did:webvh:QmcvPyyDtWEz8FRDwE1j21YrZD2cCkNJzbUtewCXVbrB9d:{HOST}%3A{world.port}"
        schema = AnonCredsSchema(issuer_id=other, attr_names=["a"], name="s", version="1")
        with pytest.raises(AnonCredsRegistrationError, match="controls no did:webvh DID"):
            await issuer.register_schema(profile, schema)
        with pytest.raises(Exception, match="publishes nothing"):
            await verifier.identity(profile, create=True)

    run(world, scenario)


def test_a_tampered_object_is_refused_in_plain_words(world, tmp_path):
    async def scenario(issuer, verifier, profile, clock):
        did = (await issuer.identity(profile, create=True)).did
        schema = AnonCredsSchema(issuer_id=did, attr_names=["a"], name="tampered", version="1")
        schema_id = (await issuer.register_schema(profile, schema)).schema_state.schema_id
        path = Publication(world.root).resource_file(parse_resource_id(schema_id))
        doc = json.loads(path.read_text())
        doc["content"]["attrNames"] = ["a", "b"]
        path.write_text(json.dumps(doc))
        with pytest.raises(AnonCredsResolutionError, match="cannot be trusted and was not used"):
            await verifier.get_schema(profile, schema_id)

    run(world, scenario)
