"""The terms story needs a world of its own: it counts receipts, offers and ledger lines."""

import pytest
from conftest import seeded_agent_world


@pytest.fixture(scope="module")
def terms_world(tmp_path_factory):
    """Three agents (they load the terms plugin from agent_config), seeded and issued."""
    with seeded_agent_world(tmp_path_factory.mktemp("terms-world")) as world:
        yield world
