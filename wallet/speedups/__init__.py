"""ACA-Py plugin: take work off an agent's event loop that gives Tessera nothing.

Loaded by every agent with `--plugin wallet.speedups` (see `agent_config/*.yml`). The
bench showed each agent's event loop spending about as much CPU per proof as
AnonCreds itself, most of it building marshmallow schemas and revalidating messages
the agent had already validated. Each change is one module wrapping or replacing
one ACA-Py function (one, `askar_buffers`, a function of Askar's Python bindings),
saying which upstream change would make it unnecessary;
`tests/speedups/test_acapy_pins.py` pins the source of every function replaced or
relied on, so an ACA-Py or Askar upgrade that changes one fails loudly. None changes what an
agent sends, stores or accepts: the same checks run on everything that arrives.

Two admin routes (`routes.py`) serve the wallet's credential index:
`POST /tessera/credentials/read` reads a page of the holder's credentials by id in one
call (what it read is kept until a credential is stored or deleted: `credential_cache`),
and `GET /tessera/credentials/changes` says whether any was stored or deleted
since the index was last found complete (`credential_changes.py`);
`tests/speedups/test_credential_reads_e2e.py` checks both on a real agent.
"""

from acapy_agent.config.injection_context import InjectionContext

from . import (
    ack_peers,
    acks,
    askar_buffers,
    credential_changes,
    model_dump,
    model_load,
    pres_attachment,
    proof_fields,
    saving,
    session_reuse,
    settings_copy,
    trusted_loads,
    validation,
    webhook_trace,
)


def install() -> None:
    """Install every speed-up (idempotent)."""
    validation.install()
    proof_fields.install()
    acks.install()
    ack_peers.install()
    trusted_loads.install()
    model_dump.install()
    model_load.install()
    saving.install()
    session_reuse.install()
    credential_changes.install()
    webhook_trace.install()
    settings_copy.install()
    pres_attachment.install()
    askar_buffers.install()


async def setup(context: InjectionContext) -> None:
    """Install the speed-ups when the agent loads its plugins; ask peers about acks."""
    install()
    ack_peers.setup(context, wanted=acks.asks_peers)
