"""The terms tests share the session's seeded world: every agent loads `wallet.terms`."""

import pytest


@pytest.fixture(scope="session")
def terms_world(seeded_world):
    """The shared seeded world (agent_config/*.yml load the terms plugin)."""
    return seeded_world
