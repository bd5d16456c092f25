"""The demo's tails server, when its serving thread ends, is served again on the same port."""

import threading

import httpx

from wallet.agent.supervisor import Watched
from wallet.tails.server import TailsServer


def test_a_stopped_tails_server_is_served_again_on_its_port(tmp_path):
    server = TailsServer(tmp_path / "tails", "an upload token of 16+ chars").start()
    port = server.port
    back = threading.Event()

    def restart():
        server.restart()
        back.set()

    watch = Watched("tails server", server.running, restart, interval=0.01)
    try:
        url = f"{server.base_url}/hash/nothing-here"
        answer = httpx.get(url).status_code
        assert answer in (400, 404)  # it answers (no such file)
        server._server.shutdown()  # its serving thread ends, as a crash of it would
        assert back.wait(10)
        assert server.running() and server.port == port
        assert httpx.get(url).status_code == answer  # answers again
        assert watch.supervisor.restarts == 1
    finally:
        watch.stop()
        server.stop()
