"""ACA-Py plugin: what an agent sends is kept until delivered (`kept.py`).

Loaded by every agent with `--plugin wallet.outbox` (`agent_config/*.yml`).
"""

from acapy_agent.config.injection_context import InjectionContext

from . import kept


async def setup(context: InjectionContext) -> None:
    """Wrap the outbound queue when the agent loads its plugins."""
    kept.install()
