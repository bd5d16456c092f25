"""Credo reads today's did:tessera registry through the temporary adapter, checked.

The adapter (tests/interop/credo/tessera-registry.mjs) must refuse what Tessera's own
resolver refuses: content that does not match the digest in its id, and a signature
that does not verify under the issuer's key.
"""

import json
import shutil

import base58
import pytest

from wallet import scenario
from wallet.registry.ids import parse_object_id

from .conftest import running_credo

pytestmark = [pytest.mark.e2e, pytest.mark.interop]


def object_file(registry_dir, object_id):
    """Return the file of an object in a registry directory (DirectoryStore's layout)."""
    oid = parse_object_id(object_id)
    mb = oid.issuer_id.rsplit(":", 1)[1]
    return registry_dir / "objects" / mb / oid.kind / f"{oid.digest}.json"


def edit(path, change):
    """Rewrite a stored record with `change(record)` applied."""
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))


def other_content(record):
    record["content"]["tag"] = record["content"]["tag"] + "-edited"


def other_signature(record):
    signature = bytearray(base58.b58decode(record["signature"]))
    signature[0] ^= 1
    record["signature"] = base58.b58encode(bytes(signature)).decode()


def test_adapter_resolves_intact_objects_and_refuses_tampered_ones(
    seeded_world, credo_available, tmp_path
):
    world = seeded_world
    copy = tmp_path / "registry"
    shutil.copytree(world.settings.registry_dir, copy)
    identity, income = world.cred_defs[scenario.IDENTITY], world.cred_defs[scenario.INCOME]
    edit(object_file(copy, income), other_content)
    edit(object_file(copy, world.schema_ids[scenario.IDENTITY]), other_signature)
    missing = identity[:-4] + ("1111" if not identity.endswith("1111") else "2222")

    with running_credo(world, "Credo Registry Reader", tmp_path / "home", copy) as credo:
        intact = credo.call("resolve", kind="creddef", object_id=identity)
        edited = credo.call("resolve", kind="creddef", object_id=income)
        forged = credo.call("resolve", kind="schema", object_id=world.schema_ids[scenario.IDENTITY])
        absent = credo.call("resolve", kind="creddef", object_id=missing)
        schema = credo.call("resolve", kind="schema", object_id=world.schema_ids[scenario.INCOME])

    assert intact == {"found": True, "error": None, "message": None}
    assert schema["found"] is True
    assert (edited["found"], edited["error"]) == (False, "invalid")
    assert "does not match its id" in edited["message"]
    assert (forged["found"], forged["error"]) == (False, "invalid")
    assert "signature does not verify" in forged["message"]
    assert (absent["found"], absent["error"]) == (False, "notFound")
