"""ACA-Py plugin, for the bench only: copies of a finished exchange, written straight to storage.

`tessera bench` times the requests page at 10,000 past exchanges; making that many
real exchanges would take hours. Loaded only into the bench's holder agent (never
named in `agent_config/`), it adds one admin route (`routes.py`) that saves copies of
one real finished proof exchange under new ids and threads, as ACA-Py's own
`V20PresExRecord.save` does, without webhooks.
"""

from acapy_agent.config.injection_context import InjectionContext


async def setup(context: InjectionContext) -> None:
    """Nothing to set up: the route is registered from `routes.py`."""
