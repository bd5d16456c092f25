"""The plugin's state in one agent process, bound in ACA-Py's injection context."""

import asyncio
from dataclasses import dataclass, field

from .keys import KeyRegistrar
from .seen import SeenMessages


@dataclass
class Runtime:
    """The replay guard, the key registrar (None without an inbox), and 'the transport listens'."""

    seen: SeenMessages
    registrar: KeyRegistrar | None = None
    listening: asyncio.Event = field(default_factory=asyncio.Event)
