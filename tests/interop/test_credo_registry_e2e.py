"""Credo resolves the Tessera issuer's did:webvh objects with stock @credo-ts/webvh, checked.

Credo fetches each attested resource from the issuer's HTTPS server and checks the DID
log, the proof and the digest itself: an object edited or re-signed on the server is
refused, as Tessera's own resolver refuses it.
"""

import contextlib
import json

import pytest

from wallet import scenario
from wallet.webvh.deploy import publish_dir
from wallet.webvh.ids import digest_multibase, parse_resource_id

from .conftest import running_credo

pytestmark = [pytest.mark.e2e, pytest.mark.interop]


def served_file(world, object_id):
    """Return the file the issuer's server serves `object_id` from."""
    home = world.parties["issuer"].settings.home
    return publish_dir(home).joinpath(*parse_resource_id(object_id).web_path)


@contextlib.contextmanager
def edited(path, change):
    """Serve `path` with `change(document)` applied, then put the original back."""
    original = path.read_text()
    document = json.loads(original)
    change(document)
    path.write_text(json.dumps(document))
    try:
        yield
    finally:
        path.write_text(original)


def other_content(document):
    document["content"]["tag"] = document["content"]["tag"] + "-edited"


def other_proof(document):
    value = document["proof"]["proofValue"]
    tail = "1111" if not value.endswith("1111") else "2222"
    document["proof"]["proofValue"] = value[:-4] + tail


def test_credo_resolves_intact_objects_and_refuses_tampered_ones(
    seeded_world, credo_available, tmp_path
):
    world = seeded_world
    identity, income = world.cred_defs[scenario.IDENTITY], world.cred_defs[scenario.INCOME]
    identity_schema = world.schema_ids[scenario.IDENTITY]
    missing = identity.rsplit("/", 1)[0] + "/" + digest_multibase({"never": "published"})

    with (
        edited(served_file(world, income), other_content),
        edited(served_file(world, identity_schema), other_proof),
        running_credo(world, "Credo Registry Reader", tmp_path / "home") as credo,
    ):
        intact = credo.call("resolve", kind="creddef", object_id=identity)
        changed = credo.call("resolve", kind="creddef", object_id=income)
        forged = credo.call("resolve", kind="schema", object_id=identity_schema)
        absent = credo.call("resolve", kind="creddef", object_id=missing)
        schema = credo.call("resolve", kind="schema", object_id=world.schema_ids[scenario.INCOME])

    assert intact == {"found": True, "error": None, "message": None}
    assert schema["found"] is True
    for refused in (changed, forged):
        assert (refused["found"], refused["error"]) == (False, "invalid")
        assert "proof is invalid" in refused["message"]
    assert (absent["found"], absent["error"]) == (False, "invalid")
    assert "404" in absent["message"] or "notFound" in absent["message"]
