"""The host's configuration: checked when built, the sweeper paced by the lease."""

import pytest

from wallet.errors import ConfigError
from wallet.host.config import HostConfig

URL = "postgresql://tessera:pw@127.0.0.1:5433/tessera_host"


@pytest.mark.parametrize(
    ("tick", "lease_ttl", "expected"),
    [
        (5.0, 60.0, 5.0),  # the default: a lease renewed every 20 s, swept every 5 s
        (5.0, 4.0, 1.0),  # a short lease: swept four times per lease, never outlived
        (0.5, 4.0, 0.5),
    ],
)
def test_the_sweeper_runs_often_enough_to_renew_every_lease(tmp_path, tick, lease_ttl, expected):
    config = HostConfig(tmp_path, URL, "pw", tick=tick, lease_ttl=lease_ttl)
    assert config.tick == expected


@pytest.mark.parametrize("url", ["sqlite:///x.db", "postgresql:///no-host", "127.0.0.1:5432", ""])
def test_a_database_url_that_is_not_postgresql_is_refused_with_the_form(tmp_path, url):
    with pytest.raises(ConfigError, match="postgresql://USER:PASS@HOST:PORT/DB"):
        HostConfig(tmp_path, url, "pw")
