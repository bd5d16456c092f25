"""A verifier that promises no ack, and a Tessera holder that ends its exchange itself."""

import datetime
import shutil

import pytest
import yaml
from conftest import free_port_offset

from wallet import scenario
from wallet.agent.config import AGENT_CONFIG_DIR
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.webhooks import WebhookHub
from wallet.flows import present
from wallet.settings import ROLES, Settings
from wallet.speedups import ack_peers

from .peers import disclosed_features


@pytest.fixture
def no_ack_world(tmp_path):
    """A world whose verifier is configured with presentation_ack=false."""
    config = tmp_path / "agent_config"
    shutil.copytree(AGENT_CONFIG_DIR, config)
    verifier = yaml.safe_load((config / "verifier.yml").read_text())
    verifier["plugin-config-value"] = ["tessera_speedups.presentation_ack=false"]
    (config / "verifier.yml").write_text(yaml.safe_dump(verifier))
    settings = Settings(
        home=tmp_path / "world", port_offset=free_port_offset(), loopback_egress=True
    )
    deployment = Deployment(settings, config_dir=config)
    hub = WebhookHub().start()
    try:
        with running_agents(deployment, ROLES, hub=hub):
            world = scenario.make_world(deployment, hub)
            scenario.seed_issuer(world)
            scenario.connect_holder(world)
            scenario.issue_person(world, scenario.load_person())
            yield world
    finally:
        hub.stop()
        deployment.close()


@pytest.mark.e2e
def test_no_ack_promised_and_the_holder_still_ends_done(no_ack_world):
    world = no_ack_world
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    asked = present.wait_request(world.holder, thread_id)
    stored = world.holder.admin.get(f"/present-proof-2.0/records/{asked['pres_ex_id']}")
    assert stored["pres_request"]["will_confirm"] is False
    present.present(world.holder, asked)
    assert present.wait_verified(world.verifier, pres_ex_id).verified
    done = world.holder.wait(
        lambda: world.holder.admin.get(f"/present-proof-2.0/records/{asked['pres_ex_id']}"),
        lambda record: record["state"] == "done",
        what="the holder's exchange to end without an ack",
        topics=present.TOPICS,
        match=lambda payload: payload.get("pres_ex_id") == asked["pres_ex_id"],
        timeout=60,
    )
    assert done.get("verified") is None  # never told: no ack came
    assert "pres" in done["by_format"]  # what a receipt reads is still there


@pytest.mark.e2e
def test_a_tessera_holder_that_said_so_is_promised_no_ack(seeded_world):
    world = seeded_world
    assert disclosed_features(world.verifier, world.verifier_conn) == [
        {"feature-type": "goal-code", "id": ack_peers.GOAL_CODE}
    ]
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    asked = present.wait_request(world.holder, thread_id)
    path = f"/present-proof-2.0/records/{asked['pres_ex_id']}"
    assert world.holder.admin.get(path)["pres_request"]["will_confirm"] is False
    present.present(world.holder, asked)
    assert present.wait_verified(world.verifier, pres_ex_id).verified
    done = world.holder.admin.get(path)
    assert (done["state"], done.get("verified")) == ("done", None)
