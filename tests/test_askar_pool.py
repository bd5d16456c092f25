"""The SQLite pool plugin: URIs carry the pool size; bad settings are refused."""

import pytest
from acapy_agent.askar.store import AskarStoreConfig

from wallet.askar_pool import install, pool_size, with_pool
from wallet.errors import ConfigError


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sqlite:///a/b/sqlite.db", "sqlite:///a/b/sqlite.db?max_connections=32"),
        ("sqlite:///a%20b/sqlite.db", "sqlite:///a%20b/sqlite.db?max_connections=32"),
        ("sqlite:///x.db?max_connections=4", "sqlite:///x.db?max_connections=32"),
        ("sqlite://:memory:", "sqlite://:memory:"),
    ],
)
def test_with_pool(uri, expected):
    assert with_pool(uri, 32) == expected


@pytest.mark.parametrize(
    ("settings", "size"),
    [
        ({}, 32),
        ({"plugin_config": {"tessera_storage": {"sqlite_max_connections": 12}}}, 12),
    ],
)
def test_pool_size_from_settings(settings, size):
    assert pool_size(settings) == size


@pytest.mark.parametrize("bad", [0, -1, "many", 5000])
def test_bad_pool_size_is_refused(bad):
    with pytest.raises(ConfigError, match="sqlite_max_connections"):
        pool_size({"plugin_config": {"tessera_storage": {"sqlite_max_connections": bad}}})


def test_install_wraps_acapy_once(tmp_path, monkeypatch):
    monkeypatch.setattr(AskarStoreConfig, "_build_sqlite_uri", AskarStoreConfig._build_sqlite_uri)
    monkeypatch.setenv("HOME", str(tmp_path))
    install(20)
    install(24)  # a second install replaces, never stacks
    uri = AskarStoreConfig({"name": "w"}).get_uri()
    assert uri.endswith("/sqlite.db?max_connections=24")
