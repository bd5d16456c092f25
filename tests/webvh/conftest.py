"""Fixtures: three parties in three homes, the issuer's HTTPS server the only thing shared."""

import pytest
from conftest import agent_world

from wallet.webvh.world import homes


@pytest.fixture(scope="module")
def webvh_world(tmp_path_factory):
    """One three-party world for a test module; `world.homes` maps roles to homes."""
    base = tmp_path_factory.mktemp("parties")
    with agent_world(base) as world:
        world.homes = homes(base)
        yield world
