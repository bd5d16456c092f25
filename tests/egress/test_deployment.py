"""How a deployment tells its agents where they may connect: every role loads the plugin,
and only a deployment that says so lets them reach loopback."""

import pytest

from wallet.agent.config import Ports, load_role_file, resolve_args
from wallet.settings import ROLES, Settings, from_env


@pytest.mark.parametrize("role", ROLES)
def test_every_role_loads_the_egress_plugin(role):
    """ACA-Py only logs an error for a plugin it cannot find, so the list is checked here."""
    assert "wallet.egress" in load_role_file(role)["plugin"]


@pytest.mark.parametrize(("loopback", "value"), [(True, "true"), (False, "false")])
def test_the_setting_reaches_the_agent_as_a_plugin_config_value(loopback, value, tmp_path):
    resolved = resolve_args(
        load_role_file("holder"),
        ports=Ports(1, 2),
        api_key="k",
        wallet_key="w",
        webhook_url=None,
        registry_dir=tmp_path,
        loopback_egress=loopback,
    )
    assert f"tessera_egress.allow_loopback={value}" in resolved["plugin-config-value"]


def test_production_settings_never_allow_loopback(tmp_path):
    assert Settings(home=tmp_path).loopback_egress is False
    assert from_env(home=tmp_path, environ={}).loopback_egress is False
