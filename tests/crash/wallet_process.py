"""The person's wallet (the Flask app and its `HolderService`) as a process a test can kill -9.

Run as `python tests/crash/wallet_process.py --home H --port-offset N`: it serves
`wallet.web.create_app` on 127.0.0.1 (a free port, printed as the first line of its
stdout) and stops, locking first, on SIGTERM or when its stdin closes (the test that
started it went away). The inbox is the test's (`own_inbox=False`): the wallet never
starts a second one. `--hold-after-send FILE` is a crash point: once the agent has sent
a presentation the approving request (or the rule's worker) touches FILE and waits there
to be killed, before the wallet writes its history entry. `--answer` lets the person's
rules answer requests (off otherwise: the tests answer through the API).

`WalletProcess` is the test's side: start, kill -9, stop.
"""

import argparse
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRYPT_N = 2**10  # cheap history key and passphrase check: tests only
START_TIMEOUT = 60.0
STOP_TIMEOUT = 40.0


class WalletProcess:
    """One wallet process for `settings`'s home; `url` once started."""

    def __init__(self, settings, log_path, hold_after_send=None, answer=False):
        """Describe the process; nothing starts until `start()`."""
        self.settings = settings
        self.log_path = Path(log_path)
        self.hold_after_send = hold_after_send
        self.answer = answer
        self.url = None
        self.unlocked = False  # the test says so once it unlocked it
        self._proc = None

    @property
    def pid(self):
        """Return the process id (None before `start()`)."""
        return self._proc.pid if self._proc else None

    def start(self, timeout=START_TIMEOUT):
        """Start the process and return once it serves (its port read from its stdout)."""
        command = [sys.executable, str(Path(__file__).resolve())]
        command += ["--home", str(self.settings.home)]
        command += ["--port-offset", str(self.settings.port_offset)]
        if self.hold_after_send:
            command += ["--hold-after-send", str(self.hold_after_send)]
        if self.answer:
            command.append("--answer")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                cwd=REPO,
            )
        port = self._read_port(timeout)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def _read_port(self, timeout):
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            assert left > 0, f"the wallet process did not serve within {timeout} s: {self.log_path}"
            ready, _, _ = select.select([self._proc.stdout], [], [], left)
            if ready:
                byte = os.read(self._proc.stdout.fileno(), 1)
                assert byte, f"the wallet process exited during start: see {self.log_path}"
                line += byte
        return int(line)

    def kill(self):
        """SIGKILL the process and reap it; return the monotonic time of the kill."""
        killed = time.monotonic()
        self._proc.send_signal(signal.SIGKILL)
        self.unlocked = False
        self._proc.wait()
        self._close_pipes()
        return killed

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop the process cleanly (SIGTERM: it locks the wallet, its agent stops)."""
        self.unlocked = False
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout)
        self._close_pipes()

    def _close_pipes(self):
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                pipe.close()


def _hold_after_send(marker):
    """Make the approve stop, once the presentation has left, until the process is killed."""
    from wallet.flows import present

    send = present.present

    def sent_then_held(*args, **kwargs):
        send(*args, **kwargs)
        Path(marker).touch()
        threading.Event().wait()  # the test kills the process here

    present.present = sent_then_held


def _stop_when_stdin_closes(stop):
    while os.read(0, 4096):
        pass
    stop.set()


def main(argv=None):
    """Serve the person's wallet app until SIGTERM or the end of stdin; lock on the way out."""
    from werkzeug.serving import make_server

    from wallet.holder.service import HolderService
    from wallet.settings import HOST, Settings
    from wallet.web import create_app, service_of

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--port-offset", type=int, required=True)
    parser.add_argument("--hold-after-send")
    parser.add_argument("--answer", action="store_true")
    args = parser.parse_args(argv)
    if args.hold_after_send:
        _hold_after_send(args.hold_after_send)
    settings = Settings(home=args.home, port_offset=args.port_offset, loopback_egress=True)
    service = HolderService.for_settings(
        settings,
        scrypt_n=SCRYPT_N,
        own_inbox=False,
        revocation_interval=None,
        timer_interval=None,
        answer=args.answer,
    )
    app = create_app({"SETTINGS": settings, "HOLDER_SERVICE": service})
    server = make_server(HOST, 0, app, threaded=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=_stop_when_stdin_closes, args=(stop,), daemon=True).start()
    threading.Thread(target=server.serve_forever, name="wallet-ui", daemon=True).start()
    print(server.server_port, flush=True)
    try:
        stop.wait()
    finally:
        server.shutdown()
        service_of(app).close()


if __name__ == "__main__":
    main()
