"""End to end: the holder's passphrase reaches its agent without ever touching the disk."""

import os
import threading
from pathlib import Path

import pytest
from conftest import files_holding, free_port_offset

from wallet.agent.deployment import Deployment
from wallet.errors import AgentStartError
from wallet.holder.runner import wrong_key_in
from wallet.settings import Settings

pytestmark = pytest.mark.e2e

PASSPHRASE = "unmistakable-passphrase-7f3c9a"


def test_passphrase_is_never_on_disk_on_the_command_line_or_in_the_start_environment(tmp_path):
    settings = Settings(home=tmp_path / "home", port_offset=free_port_offset())
    deployment = Deployment(settings)
    proc = deployment.process("holder", wallet_key=PASSPHRASE)
    needle = PASSPHRASE.encode()
    seen, stop = [], threading.Event()

    def watch():  # scans the data directory over and over while the agent starts
        while not stop.is_set():
            seen.extend(files_holding(settings.home, needle))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        proc.start()
        stop.set()
        watcher.join()
        assert seen == []
        assert files_holding(settings.home, needle) == []
        assert needle not in Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert needle not in Path(f"/proc/{proc.pid}/environ").read_bytes()
        assert proc.admin.get("/status/ready")["ready"] is True
    finally:
        stop.set()
        proc.stop()
    # ...yet the agent keyed its store with it: another key cannot open the store.
    other = deployment.process("holder", wallet_key="another-passphrase-entirely")
    offset = other.log_path.stat().st_size
    with pytest.raises(AgentStartError):
        other.start(timeout=30)
    assert wrong_key_in(other.log_path.read_bytes()[offset:].decode(errors="replace"))
    deployment.close()
    assert files_holding(settings.home, needle) == []
    assert "wallet-key" not in (proc.arg_file.read_text() if proc.arg_file.exists() else "")
    assert os.stat(proc.arg_file).st_mode & 0o077 == 0
