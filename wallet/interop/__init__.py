"""ACA-Py plugin: workarounds that let an ACA-Py 1.7 agent finish exchanges with Credo.

Loaded with `--plugin wallet.interop` (see `agent_config/holder.yml`). Each workaround
is one module that wraps one ACA-Py function and says which upstream change would make
it unnecessary; `tests/interop/test_acapy_pins.py` pins the source of every ACA-Py
function they wrap or rely on, so an ACA-Py upgrade that changes one fails loudly.
"""

from acapy_agent.config.injection_context import InjectionContext

from . import didexchange, indy_proofs


async def setup(context: InjectionContext) -> None:
    """Install the workarounds (idempotent)."""
    didexchange.install()
    indy_proofs.install()
