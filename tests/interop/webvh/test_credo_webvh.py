"""Credo 0.6.3's stock @credo-ts/webvh resolves what a Tessera issuer publishes on did:webvh.

A Tessera issuer party (its ACA-Py agent and its own server) publishes a schema and a
revocable credential definition; Credo, in Node, resolves the schema, the credential
definition, a revocation registry definition and its status lists by time with
nothing but @credo-ts/webvh, which checks the DID log, each digest and each proof
itself. Credo 0.6.3 fetches resources of `*.localhost` DIDs over plain http and cannot
fetch resources of a DID with a port, so this issuer's DID has no port and its server
listens on 443 (https, for ACA-Py and the DID log) and 80 (http), both on 127.0.0.1.
"""

import importlib.util
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from conftest import free_port_offset
from webvh.hosts import ensure_mapping

from wallet.agent.handle import Agent
from wallet.agent.process import port_in_use
from wallet.agent.webhooks import WebhookHub
from wallet.flows import issue, revocation
from wallet.schemas import load_all
from wallet.webvh.attested import REV_REG_DEF
from wallet.webvh.config import Site
from wallet.webvh.deploy import ISSUER_HOST, publish_dir
from wallet.webvh.ids import parse_resource_id
from wallet.webvh.world import ca_dir, running_parties

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "resolve.mjs"
BINDING = HERE / "node_modules/@2060.io/ffi-napi/build/Release/ffi_bindings.node"
NATIVE_LIBS = {"LIB_ASKAR_PATH": "aries_askar", "LIB_ANONCREDS_PATH": "anoncreds"}


def setup_problem():
    """Return why Credo cannot run here, or None."""
    node = shutil.which("node")
    if node is None:
        return "node is not on PATH (install Node.js 20)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    if (
        not version.stdout.strip().lstrip("v").split(".")[0].isdigit()
        or int(version.stdout.strip().lstrip("v").split(".")[0]) < 20
    ):
        return f"Node {version.stdout.strip()} is too old; Credo 0.6 needs Node 20"
    if not (HERE / "node_modules/@credo-ts/webvh/package.json").is_file() or not BINDING.is_file():
        return "tests/interop/webvh has no node_modules: run the npm steps of .ci/run"
    for port in (443, 80):
        if port_in_use(port):
            return f"127.0.0.1:{port} is in use; the issuer must listen there for Credo"
        problem = _bind_problem(port)
        if problem is not None:
            return problem
    return None


def _bind_problem(port):
    """Return why this process cannot listen on 127.0.0.1:`port`, or None."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except PermissionError:
            return (
                f"listening on 127.0.0.1:{port} needs root (or "
                "net.ipv4.ip_unprivileged_port_start at most 80)"
            )
    return None


def native_env():
    """Point Credo's native packages at the libraries inside the PyPI wheels."""
    env = {}
    for var, package in NATIVE_LIBS.items():
        env[var] = str(Path(importlib.util.find_spec(package).origin).parent)
    return env


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A port-less issuer on 443/80 with a schema and a revocable cred def; their ids."""
    problem = setup_problem()
    if problem is not None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"The Credo did:webvh check cannot run in CI: {problem}")
        pytest.skip(f"The Credo did:webvh check needs Node 20 and its packages: {problem}")
    ensure_mapping(ISSUER_HOST)  # Node resolves names with getaddrinfo: never through DNS
    home = tmp_path_factory.mktemp("credo-webvh")
    hub = WebhookHub().start()
    try:
        with running_parties(
            home, free_port_offset(), ("issuer",), hub, http_port=80, site=Site(ISSUER_HOST)
        ) as (parties, _network):
            issuer = Agent("issuer", parties["issuer"].deployment.admin("issuer"), hub)
            did = issue.issuer_id(issuer)
            schema = load_all()["employment_income"]
            schema_id = issue.publish_schema(issuer, did, schema)
            cred_def_id = revocation.create_revocable_cred_def(
                issuer, did, schema_id, registry_size=4
            )
            root = publish_dir(parties["issuer"].settings.home)

            def doc(object_id):
                path = root.joinpath(*parse_resource_id(object_id).web_path)
                return json.loads(path.read_text())

            index = json.loads((root / "resources" / "index.json").read_text())
            rev_reg = next(
                d
                for d in map(doc, _resources(root))
                if d["metadata"]["resourceType"] == REV_REG_DEF
                and d["content"]["credDefId"] == cred_def_id
            )
            yield {
                "did": did,
                "schema": doc(schema_id),
                "credDef": doc(cred_def_id),
                "revRegDef": rev_reg,
                "index": index,
                "ca": ca_dir(home) / "ca.pem",
                "home": parties["issuer"].settings.home,
            }
    finally:
        hub.stop()


def _resources(root):
    folder = root / "resources"
    return [
        f"{json.loads((folder / 'index.json').read_text())['issuerId']}/resources/{p.name}"
        for p in folder.iterdir()
        if p.name.startswith("z")
    ]


def credo_resolve(published):
    """Run Credo on the published ids; return what it resolved."""
    links = published["revRegDef"]["links"]
    ids = {
        "schema": published["schema"]["id"],
        "credDef": published["credDef"]["id"],
        "revRegDef": published["revRegDef"]["id"],
        "timestamps": [link["timestamp"] for link in links],
    }
    env = {**os.environ, **native_env(), "NODE_EXTRA_CA_CERTS": str(published["ca"])}
    done = subprocess.run(
        ["node", str(SCRIPT), json.dumps(ids)],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_credo_resolves_and_checks_every_object_tessera_publishes(published):
    got = credo_resolve(published)
    schema, cred_def, rev_reg = got["schema"], got["credDef"], got["revRegDef"]
    for result in (schema, cred_def, rev_reg):
        assert "error" not in result["resolutionMetadata"], result["resolutionMetadata"]
    assert schema["schema"] == published["schema"]["content"]
    assert schema["schemaMetadata"]["resourceType"] == "anonCredsSchema"
    assert cred_def["credentialDefinition"] == published["credDef"]["content"]
    assert rev_reg["revocationRegistryDefinition"] == published["revRegDef"]["content"]
    assert published["credDef"]["id"] in published["index"]["credentialDefinitions"]
    links = published["revRegDef"]["links"]
    assert links, "the registry definition links its first status list"
    for link in links:
        found = got["statusLists"][str(link["timestamp"])]
        assert "error" not in found["resolutionMetadata"], found["resolutionMetadata"]
        assert found["revocationStatusList"]["timestamp"] == link["timestamp"]
        assert found["revocationStatusList"]["revRegDefId"] == published["revRegDef"]["id"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda doc: doc["content"]["attrNames"].append("extra"), "proof is invalid"),
        (
            lambda doc: doc["proof"].update(proofValue=doc["proof"]["proofValue"][:-4] + "1111"),
            "proof is invalid",
        ),
    ],
    ids=["content edited", "proof forged"],
)
def test_credo_refuses_a_resource_tampered_on_the_server(published, change, message):
    rid = parse_resource_id(published["schema"]["id"])
    path = publish_dir(published["home"]).joinpath(*rid.web_path)
    good = path.read_text()
    doc = json.loads(good)
    change(doc)
    path.write_text(json.dumps(doc))
    try:
        got = credo_resolve(published)
    finally:
        path.write_text(good)
    assert got["schema"]["resolutionMetadata"]["error"] == "invalid"
    assert message in got["schema"]["resolutionMetadata"]["message"]
    assert "error" not in got["credDef"]["resolutionMetadata"]  # the rest still resolves
