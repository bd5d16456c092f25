"""The plugin serves ACA-Py's http inbound transport with its own class, found by ACA-Py."""

from types import SimpleNamespace

from acapy_agent.config.settings import Settings
from acapy_agent.transport.inbound.base import BaseInboundTransport
from acapy_agent.transport.inbound.manager import InboundTransportManager
from acapy_agent.utils.classloader import ClassLoader

from wallet.inbound import transport


def test_only_http_transports_are_replaced():
    configs = [["http", "127.0.0.1", 8030], ["ws", "127.0.0.1", 8039]]
    settings = Settings({"transport.inbound_configs": configs})
    transport.use_for_http(settings)
    assert settings["transport.inbound_configs"] == [
        ["wallet.inbound.transport", "127.0.0.1", 8030],
        ["ws", "127.0.0.1", 8039],
    ]


def test_acapy_loads_the_processed_transport_by_its_module_path():
    # ACA-Py splits "a.b.c" into package "a" and module "b.c", and takes the first
    # subclass of BaseInboundTransport in alphabetical order: it must be ours.
    package, module = transport.MODULE.split(".", 1)
    loaded = ClassLoader.load_subclass_of(BaseInboundTransport, module, package)
    assert loaded is transport.ProcessedHttpTransport


def test_a_handler_that_raised_is_marked_on_its_message():
    transport.install_failure_marks()
    transport.install_failure_marks()  # idempotent: wrapped once
    manager = InboundTransportManager.__new__(InboundTransportManager)
    manager.sessions = {}
    completed = []
    for exc_info in (None, (ValueError, ValueError("boom"), None)):
        message = SimpleNamespace(session_id="s", dispatch_processing_complete=lambda: None)
        manager.dispatch_complete(message, SimpleNamespace(exc_info=exc_info))
        completed.append(getattr(message, transport._FAILED))
    assert completed == [False, True]
