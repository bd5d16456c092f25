"""`tessera host --local`, the newcomer's command: its own cluster, a wallet, and a clean stop.

The command runs as a real process: it makes a PostgreSQL cluster of its own (as
`tessera-pg` when the tests run as root), serves sign-up, starts a person's agent on that
cluster, and on Ctrl-C locks the wallet and stops the cluster it started.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import httpx
import pytest

from wallet.agent.process import port_in_use
from wallet.host.run import cluster_dir

from .conftest import free_pg_port, host_ports, require_postgres
from .hosting import Browser

pytestmark = pytest.mark.e2e

PASSPHRASE = "Juniper kettle 3307 on the stairs"


def _serving(base):
    try:
        return httpx.get(f"{base}/host/status", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_tessera_host_local_serves_a_wallet_and_stops_everything(tmp_path):
    require_postgres()
    home = tmp_path / "home"
    first = host_ports(40)
    web, inbox = [p for p in range(first, first + 10) if not port_in_use(p)][:2]
    pg_port = free_pg_port()
    command = [
        *(sys.executable, "-m", "wallet.cli", "host", "--local", "--no-firms"),
        *("--home", str(home), "--port", str(web), "--inbox-port", str(inbox)),
        *("--agent-ports", str(first + 10), "--pg-port", str(pg_port), "--max-people", "2"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    out = tmp_path / "host.out"
    base = f"http://127.0.0.1:{web}"
    with open(out, "wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while not _serving(base):
            assert proc.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.5)
        assert port_in_use(pg_port)
        browser = Browser(base)
        try:
            assert browser.sign_up("newcomer", PASSPHRASE).status_code == 302
            assert browser.get("/credentials/").status_code == 200
        finally:
            browser.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(90) == 0
        printed = out.read_text()
        assert f"sign up or log in  {base}/signup" in printed and "Stopped." in printed
        assert PASSPHRASE not in printed
        assert not port_in_use(pg_port), "the local cluster still runs"
        assert not port_in_use(web)
        assert (cluster_dir(home) / "data" / "PG_VERSION").exists()  # kept for the next run
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        pid_file = cluster_dir(home) / "data" / "postmaster.pid"
        if port_in_use(pg_port) and pid_file.exists():  # the command died without stopping it
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
        shutil.rmtree(cluster_dir(home), ignore_errors=True)  # outside tmp_path under root
