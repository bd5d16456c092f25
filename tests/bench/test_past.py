"""The bench's fill plugin goes to the bench's holder agent only."""

import pytest

from wallet.bench.past import FILL_PLUGIN, WithFill


class Registry:
    def agent_args(self, role, options):
        return {**options, "plugin": [*options["plugin"], "wallet.webvh"]}


@pytest.mark.parametrize(
    ("role", "loaded"), [("holder", True), ("issuer", False), ("verifier", False)]
)
def test_only_the_holder_loads_the_fill_plugin(role, loaded):
    options = WithFill(Registry()).agent_args(role, {"plugin": ["wallet.terms"]})
    assert options["plugin"][:2] == ["wallet.terms", "wallet.webvh"]
    assert (FILL_PLUGIN in options["plugin"]) is loaded
