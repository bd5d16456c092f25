"""Round trips with real agents: back up a running holder, wipe it, restore, present again."""

import concurrent.futures
import datetime
import shutil

import pytest

from wallet import scenario
from wallet.backup import create_backup, restore_backup
from wallet.backup.contents import key_file
from wallet.flows import present
from wallet.history import HistoryLog

PASSPHRASE = "backup passphrase for the test"
FAST = {"scrypt_n": 2**12}
pytestmark = pytest.mark.e2e


def _history(world):
    return HistoryLog(
        world.settings.role_dir("holder") / "tessera" / "history", PASSPHRASE, scrypt_n=2**10
    )


def _snapshot(world):
    admin = world.holder.admin
    creds = admin.get("/credentials", count=1000)["results"]
    conns = admin.get("/connections")["results"]
    return {
        "credentials": sorted((c["referent"], sorted(c["attrs"].items())) for c in creds),
        "connections": sorted(
            (c["connection_id"], c["my_did"], c["their_did"], c["state"]) for c in conns
        ),
        "endpoint": admin.get("/status/config")["config"]["default_endpoint"],
        "history": _history(world).entries(),
    }


def _wipe_restore_restart(world, backup):
    """Stop the holder, delete its data and generated key, restore, start it again."""
    world.procs["holder"].stop()
    shutil.rmtree(world.settings.role_dir("holder"))
    key_file(world.settings).unlink()
    result = restore_backup(world.settings, backup, PASSPHRASE)
    hub = world.holder.hub
    party = world.parties["holder"]  # the holder's own deployment (its did:webvh registry)
    proc = party.deployment.process("holder", webhook_url=hub.url_for("holder"))
    world.procs["holder"] = party.process = proc  # the world's teardown stops the party's
    proc.start()
    return result


def _request(world):
    return scenario.age_income_request(world.cred_defs, datetime.date.today())


def test_restored_wallet_keeps_credentials_connections_history_and_presents(seeded_world, tmp_path):
    world = seeded_world
    assert len(world.cred_ids) == 2
    history = _history(world)
    history.append("sent", "Verifier", request_name="Age check", revealed=["nationality"])
    history.append("declined", "Issuer", reason="not needed")
    before = _snapshot(world)
    info = create_backup(world.settings, tmp_path / "wallet.tessera", PASSPHRASE, **FAST)
    assert info.wallet_key_included  # the demo holder's generated key, not a passphrase

    result = _wipe_restore_restart(world, info.path)

    assert result.warnings == []
    assert _snapshot(world) == before
    verification = scenario.prove(world, _request(world))
    assert verification.verified
    assert verification.revealed == {"nationality": "FR"}


def test_backup_during_proof_exchange_restores_consistent_wallet(seeded_world, tmp_path):
    world = seeded_world
    before = _snapshot(world)
    pres_ex_id, thread_id = present.request_proof(
        world.verifier, world.verifier_conn, _request(world)
    )
    record = present.wait_request(world.holder, thread_id)
    out = tmp_path / "in-flight.tessera"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        backup = pool.submit(create_backup, world.settings, out, PASSPHRASE, **FAST)
        present.present(world.holder, record)
        backup.result()
    assert present.wait_verified(world.verifier, pres_ex_id).verified

    _wipe_restore_restart(world, out)

    after = _snapshot(world)
    assert after["credentials"] == before["credentials"]
    assert after["connections"] == before["connections"]
    restored = world.holder.admin.get("/present-proof-2.0/records", thread_id=thread_id)
    states = [r["state"] for r in restored["results"]]
    assert len(states) == 1 and states[0] in {"request-received", "presentation-sent", "done"}
    assert scenario.prove(world, _request(world)).verified
