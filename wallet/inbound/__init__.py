"""ACA-Py plugin: each message once, processed before it counts.

Loaded by every agent with `--plugin wallet.inbound` (`agent_config/*.yml`): a firm
then counts a person's presentation or request as delivered only once it was verified
or answered, so a firm killed mid-handler gets it again from the person's outbox. It

- serves the HTTP inbound transport with `transport.ProcessedHttpTransport`, which answers
  a delivery only once the message's handler has run, echoing the inbox's delivery id, so
  the inbox keeps an envelope until the agent has processed it;
- refuses a message it already processed, by sender key and message id, whatever the
  bytes of its envelope (`seen.py`), also when posted straight to the agent's port;
- stores an exchange's credential once, however often its issue message is processed
  (`stored_once.py`);
- registers every recipient key the person's agent makes with their inbox before the key
  is used, and all of them at start (`keys.py`), so that the inbox can refuse envelopes
  for anyone else.

Settings (all optional) are described in `config.py`.
"""

import logging

from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.core.event_bus import EventBus
from acapy_agent.core.util import STARTUP_EVENT_PATTERN

from . import config, keys, stored_once, transport
from .runtime import Runtime
from .seen import SeenMessages

LOG = logging.getLogger("tessera.inbound")


async def setup(context: InjectionContext) -> None:
    """Install the transport, the replay guard and the key registration (before start)."""
    settings = config.load(context.settings)
    transport.use_for_http(context.settings)
    transport.install_failure_marks()
    stored_once.install()
    runtime = Runtime(SeenMessages(settings.hold_before_handler, settings.hold_after_handler))
    if settings.inbox is not None:
        runtime.registrar = keys.KeyRegistrar(settings.inbox)
        context.injector.bind_instance(keys.KeyRegistrar, runtime.registrar)
        keys.install()
        LOG.info("inbound: recipient keys go to the inbox %s", settings.inbox.url)
    context.injector.bind_instance(Runtime, runtime)
    context.inject(EventBus).subscribe(STARTUP_EVENT_PATTERN, _on_startup)


async def _on_startup(profile, event):
    """Once the transport listens, register every key: the inbox then delivers what waits."""
    runtime = profile.inject(Runtime)
    await runtime.listening.wait()
    if runtime.registrar is not None:
        await runtime.registrar.register_all(profile)
