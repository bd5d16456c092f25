"""Tests for the ACA-Py registrar/resolver, run against a real in-memory askar-anoncreds profile."""

import asyncio
import contextlib
import json

import pytest
from acapy_agent.anoncreds import setup as setup_builtin_registries
from acapy_agent.anoncreds.base import (
    AnonCredsObjectNotFound,
    AnonCredsRegistrationError,
    AnonCredsResolutionError,
)
from acapy_agent.anoncreds.issuer import AnonCredsIssuer
from acapy_agent.anoncreds.models.credential_definition import CredDef
from acapy_agent.anoncreds.models.revocation import RevList, RevRegDef
from acapy_agent.anoncreds.models.schema import AnonCredsSchema
from acapy_agent.anoncreds.registry import AnonCredsRegistry
from acapy_agent.config import argparse as acapy_args
from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.core.event_bus import EventBus
from acapy_agent.utils.testing import create_test_profile
from acapy_agent.wallet.base import BaseWallet
from acapy_agent.wallet.did_method import KEY, DIDMethods
from acapy_agent.wallet.key_type import ED25519
from anoncreds import CredentialDefinition, RevocationStatusList

import wallet.registry
from wallet.errors import ConfigError
from wallet.registry.ids import CRED_DEF, REV_REG_DEF, SCHEMA, issuer_id_from_did_key, object_id
from wallet.registry.plugin import TesseraRegistry
from wallet.registry.store import DirectoryStore

from .conftest import ISSUER_ID, ISSUER_SEED

OTHER_ISSUER = "did:tessera:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


class Clock:
    """A settable clock for the store's `now=`."""

    value = 1000.0

    def __call__(self) -> float:
        """Return the current value."""
        return self.value


@contextlib.asynccontextmanager
async def issuer_profile():
    """An in-memory askar-anoncreds profile whose wallet holds the test issuer's key."""
    profile = await create_test_profile({"wallet.type": "askar-anoncreds"})
    profile.context.injector.bind_instance(DIDMethods, DIDMethods())
    try:
        async with profile.session() as session:
            info = await session.inject(BaseWallet).create_local_did(KEY, ED25519, seed=ISSUER_SEED)
        assert issuer_id_from_did_key(info.did) == ISSUER_ID
        yield profile
    finally:
        await profile.close()


def serialized(model) -> dict:
    """Serialize an ACA-Py model for comparison."""
    return model.serialize()


async def publish_all(registry, profile, clock, schema_content, cred_def_content, material):
    """Register one object of every kind and three revocation list entries; return ids."""
    schema = AnonCredsSchema.deserialize(schema_content)
    schema_id = (await registry.register_schema(profile, schema)).schema_state.schema_id
    schema_result = await registry.get_schema(profile, schema_id)
    cred_def = CredDef.deserialize(cred_def_content)
    cred_def_result = await registry.register_credential_definition(
        profile, schema_result, cred_def
    )
    rev_reg_content, private = material
    rev_reg_def = RevRegDef.deserialize(rev_reg_content)
    rev_reg_result = await registry.register_revocation_registry_definition(profile, rev_reg_def)
    rev_reg_id = rev_reg_result.rev_reg_def_id
    native_cred_def = CredentialDefinition.load(cred_def_content)
    native = RevocationStatusList.create(
        native_cred_def, rev_reg_id, rev_reg_content, private, ISSUER_ID
    )
    first = RevList.from_native(native)
    assert first.timestamp is None  # ACA-Py registers lists unstamped
    results = [await registry.register_revocation_list(profile, rev_reg_def, first)]
    previous = first
    for revoked, now in (([1], 1000.0), ([2], 2000.0)):
        clock.value = now
        updated = native.update(native_cred_def, rev_reg_content, private, None, revoked, 7)
        current = RevList.from_native(updated)
        results.append(
            await registry.update_revocation_list(profile, rev_reg_def, previous, current, revoked)
        )
        native, previous = updated, current
    return {
        SCHEMA: schema_id,
        CRED_DEF: cred_def_result.credential_definition_state.credential_definition_id,
        REV_REG_DEF: rev_reg_id,
        "results": results,
    }


@pytest.fixture
def published(tmp_path, schema_content, cred_def_content, rev_reg_def_material):
    """Run a scenario against a registry holding one object of every kind."""

    def run(scenario):
        async def main():
            clock = Clock()
            registry = TesseraRegistry(DirectoryStore(tmp_path, now=clock))
            async with issuer_profile() as profile:
                ids = await publish_all(
                    registry,
                    profile,
                    clock,
                    schema_content,
                    cred_def_content,
                    rev_reg_def_material,
                )
                return await scenario(registry, profile, ids)

        return asyncio.run(main())

    return run


def test_every_kind_round_trips(published, schema_content, cred_def_content, rev_reg_def_material):
    """What the registrar stores, the resolver returns, under content-addressed ids."""

    async def scenario(registry, profile, ids):
        assert ids[SCHEMA] == object_id(SCHEMA, ISSUER_ID, schema_content)
        assert ids[CRED_DEF] == object_id(CRED_DEF, ISSUER_ID, cred_def_content)
        assert ids[REV_REG_DEF] == object_id(REV_REG_DEF, ISSUER_ID, rev_reg_def_material[0])
        schema = await registry.get_schema(profile, ids[SCHEMA])
        assert serialized(schema.schema) == schema_content
        cred_def = await registry.get_credential_definition(profile, ids[CRED_DEF])
        assert serialized(cred_def.credential_definition) == cred_def_content
        cred_def.credential_definition.to_native()
        rev_reg = await registry.get_revocation_registry_definition(profile, ids[REV_REG_DEF])
        assert serialized(rev_reg.revocation_registry) == rev_reg_def_material[0]
        rev_list = await registry.get_revocation_list(profile, ids[REV_REG_DEF])
        rev_list.revocation_list.to_native()
        info = await registry.get_schema_info_by_id(profile, ids[SCHEMA])
        assert (info.issuer_id, info.name, info.version) == (ISSUER_ID, "employment", "1.0")

    published(scenario)


def test_registrar_results_are_finished_without_job_ids(published):
    """ACA-Py stores records under job_id if one is set, so a synchronous registry sets none."""

    async def scenario(registry, profile, ids):
        stamps = [r.revocation_list_state.revocation_list.timestamp for r in ids["results"]]
        assert stamps == [1000, 1001, 2000]  # the second update in second 1000 is bumped
        for result in ids["results"]:
            assert result.job_id is None
            assert result.revocation_list_state.state == "finished"

    published(scenario)


@pytest.mark.parametrize(
    ("timestamp_to", "stamp", "revoked"),
    [
        (None, 2000, [1, 2]),
        (1000, 1000, []),
        (1001, 1001, [1]),
        (1999, 1001, [1]),
        (5000, 2000, [1, 2]),
    ],
)
def test_rev_list_is_resolved_as_of_the_asked_time(published, timestamp_to, stamp, revoked):
    """Verifiers re-resolve by the proof's timestamp and get exactly that entry."""

    async def scenario(registry, profile, ids):
        result = await registry.get_revocation_list(profile, ids[REV_REG_DEF], 0, timestamp_to)
        rev_list = result.revocation_list
        assert rev_list.timestamp == stamp
        assert [i for i, bit in enumerate(rev_list.revocation_list) if bit] == revoked

    published(scenario)


def test_rev_list_before_the_first_entry_is_not_found(published):
    """Asking before the registry existed is AnonCredsObjectNotFound."""

    async def scenario(registry, profile, ids):
        with pytest.raises(AnonCredsObjectNotFound):
            await registry.get_revocation_list(profile, ids[REV_REG_DEF], 0, 999)

    published(scenario)


def _edit(doc: dict, kind: str) -> None:
    """Change one meaningful field of a stored record, as an attacker would."""
    content = doc["content"]
    if kind == SCHEMA:
        content["attrNames"].append("salary")
    elif kind == CRED_DEF:
        content["tag"] = "forged"
    elif kind == REV_REG_DEF:
        content["value"]["tailsLocation"] = "http://attacker.example/tails"
    else:
        content["revocationList"] = [0] * len(content["revocationList"])  # un-revoke all


def _break_signature(doc: dict, kind: str) -> None:
    """Replace the signature's first character."""
    doc["signature"] = ("2" if doc["signature"][0] != "2" else "3") + doc["signature"][1:]


def _file_of(root, kind, ids):
    """Return the stored file of the record under attack and the id it is read as."""
    if kind == REV_LIST_KIND:
        return next(root.rglob("2000.json")), ids[REV_REG_DEF]
    return next(root.rglob(ids[kind].rsplit("/", 1)[1] + ".json")), ids[kind]


REV_LIST_KIND = "revlist"
KINDS = [SCHEMA, CRED_DEF, REV_REG_DEF, REV_LIST_KIND]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("attack", ["edit a field", "swap in another file", "break the signature"])
def test_tampered_files_are_refused_at_the_plugin_boundary(published, tmp_path, kind, attack):
    """Every kind, every attack: AnonCredsResolutionError naming the object, no altered data."""

    async def scenario(registry, profile, ids):
        path, wanted = _file_of(tmp_path, kind, ids)
        if attack == "swap in another file":
            other = SCHEMA if kind != SCHEMA else CRED_DEF
            if kind == REV_LIST_KIND:
                source = next(tmp_path.rglob("1000.json"))
            else:
                source, _ = _file_of(tmp_path, other, ids)
            path.write_bytes(source.read_bytes())
        else:
            doc = json.loads(path.read_bytes())
            (_edit if attack == "edit a field" else _break_signature)(doc, kind)
            path.write_text(json.dumps(doc))
        resolve = {
            SCHEMA: registry.get_schema,
            CRED_DEF: registry.get_credential_definition,
            REV_REG_DEF: registry.get_revocation_registry_definition,
            REV_LIST_KIND: registry.get_revocation_list,
        }[kind]
        with pytest.raises(AnonCredsResolutionError) as caught:
            await resolve(profile, wanted)
        message = str(caught.value)
        assert wanted in message
        assert "failed its integrity check" in message

    published(scenario)


def test_registering_without_the_issuer_key_says_how_to_make_one(tmp_path):
    """An issuer id whose key the wallet lacks fails with the admin call to fix it."""

    async def main():
        registry = TesseraRegistry(DirectoryStore(tmp_path))
        schema = AnonCredsSchema(OTHER_ISSUER, ["a"], "n", "1.0")
        async with issuer_profile() as profile:
            with pytest.raises(AnonCredsRegistrationError, match="/wallet/did/create"):
                await registry.register_schema(profile, schema)
        assert not list(tmp_path.rglob("*.json"))

    asyncio.run(main())


def test_unknown_object_is_not_found(tmp_path):
    """A well-formed id with nothing behind it is AnonCredsObjectNotFound."""
    missing = object_id(SCHEMA, ISSUER_ID, {"issuerId": ISSUER_ID})

    async def main():
        registry = TesseraRegistry(DirectoryStore(tmp_path))
        with pytest.raises(AnonCredsObjectNotFound):
            await registry.get_schema(None, missing)

    asyncio.run(main())


def test_object_id_of_the_wrong_kind_is_a_resolution_error(tmp_path):
    """Resolving a cred def id as a schema is refused before any read."""
    cred_def_id = object_id(CRED_DEF, ISSUER_ID, {"issuerId": ISSUER_ID})

    async def main():
        registry = TesseraRegistry(DirectoryStore(tmp_path))
        with pytest.raises(AnonCredsResolutionError, match="not a schema"):
            await registry.get_schema(None, cred_def_id)

    asyncio.run(main())


def _agent_settings(*extra: str):
    """Parse ACA-Py's general arguments the way `aca-py start` does."""
    parser = acapy_args.create_argument_parser()
    group = acapy_args.GeneralGroup()
    group.add_arguments(parser)
    argv = ["-e", "http://127.0.0.1:8030", "--plugin", "wallet.registry", *extra]
    return group.get_settings(parser.parse_args(argv))


def test_setup_registers_alongside_builtin_registries_and_acapy_routes_to_it(tmp_path):
    """`--plugin wallet.registry -o tessera_registry.dir=...` serves did:tessera ids."""
    settings = _agent_settings("-o", f"tessera_registry.dir={tmp_path / 'reg'}")

    async def main():
        context = InjectionContext(settings=settings)
        anoncreds_registry = AnonCredsRegistry()
        context.injector.bind_instance(AnonCredsRegistry, anoncreds_registry)
        await setup_builtin_registries(context)
        await wallet.registry.setup(context)
        (ours,) = [r for r in anoncreds_registry.resolvers if isinstance(r, TesseraRegistry)]
        assert ours.store.root == tmp_path / "reg"
        async with issuer_profile() as profile:
            profile.context.injector.bind_instance(AnonCredsRegistry, anoncreds_registry)
            profile.context.injector.bind_instance(EventBus, EventBus())
            issuer = AnonCredsIssuer(profile)
            result = await issuer.create_and_register_schema(ISSUER_ID, "badge", "2.0", ["level"])
            schema_id = result.schema_state.schema_id
            assert await issuer.get_created_schemas(issuer_id=ISSUER_ID) == [schema_id]
            resolved = await anoncreds_registry.get_schema(profile, schema_id)
            assert resolved.schema.attr_names == ["level"]
            info = await anoncreds_registry.get_schema_info_by_id(profile, schema_id)
            assert (info.name, info.version) == ("badge", "2.0")

    asyncio.run(main())


@pytest.mark.parametrize(
    "extra",
    [(), ("-o", "tessera_registry.other=1"), ("-o", "tessera_registry=/flat/value")],
    ids=["no plugin config", "no dir key", "not a mapping"],
)
def test_setup_without_a_directory_fails_clearly(extra):
    """A missing directory setting stops the agent with the line to add."""
    context = InjectionContext(settings=_agent_settings(*extra))
    context.injector.bind_instance(AnonCredsRegistry, AnonCredsRegistry())
    with pytest.raises(ConfigError, match=r"tessera_registry\.dir="):
        asyncio.run(wallet.registry.setup(context))


def test_setup_with_an_unusable_directory_fails_clearly(tmp_path):
    """A path under a regular file cannot be the registry."""
    (tmp_path / "file").write_text("")
    settings = _agent_settings("-o", f"tessera_registry.dir={tmp_path / 'file' / 'reg'}")
    context = InjectionContext(settings=settings)
    context.injector.bind_instance(AnonCredsRegistry, AnonCredsRegistry())
    with pytest.raises(ConfigError, match="Cannot create"):
        asyncio.run(wallet.registry.setup(context))
