"""Shared fixtures for the registry tests: issuer keys, real AnonCreds objects, profiles."""

import pytest
from anoncreds import CredentialDefinition, RevocationRegistryDefinition, Schema
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wallet.registry.ids import CRED_DEF, SCHEMA, issuer_id_from_public_key, object_id

# Test-only seed: the in-memory wallet derives the same Ed25519 key from it.
ISSUER_SEED = "tessera-registry-test-issuer-001"


def issuer_key() -> Ed25519PrivateKey:
    """Return the test issuer's private key."""
    return Ed25519PrivateKey.from_private_bytes(ISSUER_SEED.encode())


def issuer_id_of(key: Ed25519PrivateKey) -> str:
    """Return the did:tessera issuer id of a private key."""
    return issuer_id_from_public_key(key.public_key().public_bytes_raw())


ISSUER_ID = issuer_id_of(issuer_key())


@pytest.fixture(scope="session")
def schema_content() -> dict:
    """A real AnonCreds schema of the test issuer."""
    return Schema.create("employment", "1.0", ISSUER_ID, ["name", "employer", "since"]).to_dict()


@pytest.fixture(scope="session")
def cred_def_content(schema_content) -> dict:
    """A real revocable credential definition (slow to make: built once per session)."""
    schema_id = object_id(SCHEMA, ISSUER_ID, schema_content)
    cred_def, _private, _proof = CredentialDefinition.create(
        schema_id, schema_content, ISSUER_ID, "default", "CL", support_revocation=True
    )
    return cred_def.to_dict()


@pytest.fixture(scope="session")
def rev_reg_def_material(cred_def_content, tmp_path_factory):
    """A real revocation registry definition and its private part."""
    cred_def_id = object_id(CRED_DEF, ISSUER_ID, cred_def_content)
    tails = tmp_path_factory.mktemp("tails")
    rev_reg_def, private = RevocationRegistryDefinition.create(
        cred_def_id, cred_def_content, ISSUER_ID, "0", "CL_ACCUM", 8, tails_dir_path=str(tails)
    )
    content = rev_reg_def.to_dict()
    content["value"]["tailsLocation"] = (
        "http://127.0.0.1:6543/hash/" + content["value"]["tailsHash"]
    )
    return content, private
