"""The egress policy inside a real holder agent: redirects, loopback, `.localhost` names.

Every target is a loopback listener (tests/egress/listeners.py). One holder runs with
loopback allowed (a test world's setting), one with the production setting.
"""

import contextlib
import time
import uuid

import base58
import pytest
from conftest import free_port_offset
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.webhooks import WebhookHub
from wallet.errors import AgentError
from wallet.settings import Settings

from .listeners import listeners

pytestmark = pytest.mark.e2e
DEADLINE = 30.0
ENVELOPE_TYPES = ("application/didcomm-envelope-enc", "application/ssi-agent-wire")


@contextlib.contextmanager
def holder_world(home, loopback_egress):
    """A holder agent alone, started with the given egress setting; yields (proc, hub)."""
    settings = Settings(home=home, port_offset=free_port_offset(), loopback_egress=loopback_egress)
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    try:
        with running_agents(deployment, ("holder",), hub=hub) as procs:
            yield procs["holder"], hub
    finally:
        hub.stop()
        deployment.close()


@pytest.fixture(scope="module")
def test_holder(tmp_path_factory):
    """A holder whose deployment allows loopback (as every test world's does)."""
    with holder_world(tmp_path_factory.mktemp("allowed"), loopback_egress=True) as world:
        yield world


@pytest.fixture(scope="module")
def production_holder(tmp_path_factory):
    """A holder started with the production setting: loopback refused."""
    with holder_world(tmp_path_factory.mktemp("production"), loopback_egress=False) as world:
        yield world


def did_key():
    """A fresh Ed25519 did:key for an invitation's recipient."""
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "did:key:z" + base58.b58encode(b"\xed\x01" + raw).decode()


def connect_to(proc, endpoint):
    """Have the holder accept an invitation to `endpoint`: it posts a DID exchange request."""
    invitation = {
        "@type": "https://didcomm.org/out-of-band/1.1/invitation",
        "@id": str(uuid.uuid4()),
        "label": "A firm on loopback",
        "handshake_protocols": ["https://didcomm.org/didexchange/1.1"],
        "services": [
            {
                "id": "#inline",
                "type": "did-communication",
                "recipientKeys": [did_key()],
                "serviceEndpoint": endpoint,
            }
        ],
    }
    proc.admin.post("/out-of-band/receive-invitation", invitation, auto_accept="true")


def wait_for(what, check):
    """Poll `check()` until it is true, at most DEADLINE seconds."""
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {DEADLINE:g} s for {what}")
        time.sleep(0.1)


def refusals(proc, endpoint):
    """The agent log's egress refusals for `endpoint`."""
    text = proc.log_path.read_text(errors="replace")
    return [line for line in text.splitlines() if f"Egress refused for {endpoint}:" in line]


@pytest.mark.parametrize("world", ["test_holder", "production_holder"])
def test_the_running_agent_has_the_egress_plugin_loaded(world, request):
    proc, _ = request.getfixturevalue(world)
    assert "wallet.egress" in proc.admin.get("/plugins")["result"]


def test_a_redirect_is_refused_and_the_message_never_reaches_its_target(test_holder):
    proc, _ = test_holder
    with listeners({}) as (second,), listeners({"redirect_to": second.url("/")}) as (first,):
        endpoint = first.url("/")
        connect_to(proc, endpoint)
        wait_for("the refusal in the agent log", lambda: refusals(proc, endpoint))
        got = first.seen()
        assert got and got[0][:2] == ("POST", "/")
        assert got[0][2] in ENVELOPE_TYPES and got[0][3] > 100
        assert second.seen() == [] and second.connections() == 0
    assert "HTTP 307, a redirect" in refusals(proc, endpoint)[0]


def test_a_localhost_name_reaches_loopback_without_dns(test_holder):
    proc, _ = test_holder
    with listeners({}) as (firm,):
        connect_to(proc, firm.url("/didcomm", host="firm.tessera.localhost"))
        wait_for("the DID exchange request", lambda: firm.seen())
        assert firm.seen()[0][:2] == ("POST", "/didcomm")


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "0x7f000001", "127.1", "[::ffff:127.0.0.1]", "firm.tessera.localhost"]
)
def test_production_holder_never_sends_to_loopback(production_holder, host):
    proc, hub = production_holder
    with listeners({}) as (firm,):
        endpoint = firm.url("/didcomm", host=host)
        seq = hub.seq
        connect_to(proc, endpoint)
        wait_for("the refusal in the agent log", lambda: refusals(proc, endpoint))
        assert "loopback" in refusals(proc, endpoint)[0]
        assert firm.seen() == [] and firm.connections() == 0
        # Webhooks to the controller (on loopback too) still arrive in production.
        assert hub.events_since(seq, role="holder")


def test_production_holder_resolves_no_did_web_document_on_loopback(production_holder):
    """A firm chooses which DID the wallet resolves: did:web is fetched under the policy too."""
    proc, _ = production_holder
    with listeners({}) as (firm,):
        did = f"did:web:127.0.0.1%3A{firm.port}"
        with pytest.raises(AgentError) as refused:
            proc.admin.get(f"/resolver/resolve/{did}")
        assert "Egress refused" in refused.value.body and "loopback" in refused.value.body
        assert firm.seen() == [] and firm.connections() == 0
