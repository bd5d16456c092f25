"""The terms story needs a world of its own: it counts receipts, offers and ledger lines."""

import pytest
from conftest import agent_world

from wallet import scenario


@pytest.fixture(scope="module")
def terms_world(tmp_path_factory):
    """Three agents (they load the terms plugin from agent_config), seeded and issued."""
    with agent_world(tmp_path_factory.mktemp("terms-world")) as world:
        scenario.seed_issuer(world)
        scenario.connect_holder(world)
        world.cred_ids = scenario.issue_person(world, scenario.load_person())
        yield world
