"""Role arg files: loopback only, no secrets in them, completed at start."""

import os
import stat

import pytest
import yaml

from wallet.agent.config import (
    load_role_file,
    ports_of,
    resolve_args,
    split_secrets,
    write_arg_file,
)
from wallet.agent.launch import read_secrets
from wallet.errors import ConfigError
from wallet.secrets import load_or_create
from wallet.settings import ROLES

EXPECTED_PORTS = {"issuer": (8020, 8021), "holder": (8030, 8031), "verifier": (8040, 8041)}


@pytest.mark.parametrize("role", ROLES)
def test_shipped_role_files(role):
    args = load_role_file(role)
    assert args["wallet-type"] == "askar-anoncreds"
    assert args["preserve-exchange-records"] is True
    assert "wallet.registry" in args["plugin"]
    assert tuple(ports_of(args)) == EXPECTED_PORTS[role]
    assert tuple(ports_of(args, 100)) == tuple(p + 100 for p in EXPECTED_PORTS[role])


def test_holder_never_answers_proof_requests_by_itself():
    args = load_role_file("holder")
    assert not any(k.startswith("auto-respond-presentation") for k in args)
    assert "auto-respond-credential-offer" not in args


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("admin: [0.0.0.0, 8021]\n", "stays on loopback"),
        ("admin: [127.0.0.1, 8021]\nwallet-key: secret\n", "sets 'wallet-key'"),
        ("admin: [127.0.0.1, 8021]\nadmin-insecure-mode: true\n", "sets 'admin-insecure-mode'"),
        ("- just\n- a list\n", "must hold a mapping"),
        ("admin: [127.0.0.1\n", "not valid YAML"),
    ],
)
def test_bad_role_files_are_refused(tmp_path, content, message):
    (tmp_path / "issuer.yml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_role_file("issuer", config_dir=tmp_path)


def test_missing_role_file(tmp_path):
    with pytest.raises(ConfigError, match="is missing"):
        load_role_file("issuer", config_dir=tmp_path)


def test_resolved_file_is_owner_only_and_complete(tmp_path):
    args = load_role_file("holder")
    resolved = resolve_args(
        args,
        ports=ports_of(args, 5),
        api_key="k",
        wallet_key="w",
        webhook_url="http://127.0.0.1:1/webhooks/holder#h",
        registry_dir=tmp_path / "registry",
        endpoint="http://127.0.0.1:9/inbox/abc",
    )
    public, secrets = split_secrets(resolved)
    assert secrets == {"ACAPY_ADMIN_API_KEY": "k", "ACAPY_WALLET_KEY": "w"}
    path = write_arg_file(public, tmp_path / "run" / "args.yml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = yaml.safe_load(path.read_text())
    assert written["admin"] == ["127.0.0.1", 8036]
    assert written["inbound-transport"] == [["http", "127.0.0.1", 8035]]
    assert written["endpoint"] == ["http://127.0.0.1:9/inbox/abc"]
    assert "admin-api-key" not in written and "wallet-key" not in written
    assert f"tessera_registry.dir={tmp_path / 'registry'}" in written["plugin-config-value"]


def test_arg_file_never_takes_a_secret(tmp_path):
    with pytest.raises(ConfigError, match="never into its arg file"):
        write_arg_file({"wallet-key": "passphrase"}, tmp_path / "args.yml")
    assert not (tmp_path / "args.yml").exists()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"ACAPY_WALLET_KEY": "p", "ACAPY_ADMIN_API_KEY": "k"}\n', {"ACAPY_WALLET_KEY": "p"}),
        (b"{}\n", {}),
        (b"\n", {}),
    ],
)
def test_agent_reads_its_secrets_from_the_first_line_of_its_pipe(line, expected):
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(line + b"rest stays for the supervisor watch")
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        found = read_secrets(pipe.fileno())
        assert expected.items() <= found.items()
        assert pipe.read() == b"rest stays for the supervisor watch"


@pytest.mark.parametrize("line", [b'{"PATH": "/tmp"}\n', b'["x"]\n', b'{"ACAPY_WALLET_KEY": 5}\n'])
def test_agent_refuses_anything_but_its_known_secrets(line):
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(line)
    with os.fdopen(read_end, "rb", buffering=0) as pipe, pytest.raises(SystemExit):
        read_secrets(pipe.fileno())


def test_secret_is_generated_once_and_owner_only(tmp_path):
    first = load_or_create(tmp_path / "secrets", "issuer.admin-api-key")
    assert load_or_create(tmp_path / "secrets", "issuer.admin-api-key") == first
    assert len(first) >= 32
    path = tmp_path / "secrets" / "issuer.admin-api-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700


def test_secret_readable_by_others_is_refused(tmp_path):
    load_or_create(tmp_path, "k")
    (tmp_path / "k").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_or_create(tmp_path, "k")


@pytest.mark.parametrize(("role_value", "expected"), [(None, 30), (4, 4)])
def test_agents_keep_retrying_an_unreachable_inbox_for_minutes(tmp_path, role_value, expected):
    # ACA-Py's default (4 retries, 10 s apart) drops a firm's message after ~40 s.
    args = load_role_file("issuer")
    if role_value is not None:
        args["max-outbound-retry"] = role_value
    resolved = resolve_args(
        args,
        ports=ports_of(args),
        api_key="k",
        wallet_key="w",
        webhook_url=None,
        registry_dir=tmp_path / "registry",
    )
    assert resolved["max-outbound-retry"] == expected
