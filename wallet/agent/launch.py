"""Run ACA-Py in this process, and stop it when the supervising process goes away.

The supervisor keeps the write end of our stdin. When it exits, however it exits
(even `kill -9`), the pipe closes, the read below returns, and we send ourselves
SIGTERM so ACA-Py shuts down cleanly. No agent outlives the Tessera that started it.
"""

import os
import signal
import sys
import threading


def _stop_when_stdin_closes():
    sys.stdin.buffer.read()
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv=None):
    """Start ACA-Py with `argv` (e.g. ['start', '--arg-file', PATH])."""
    threading.Thread(target=_stop_when_stdin_closes, daemon=True).start()
    from acapy_agent.__main__ import main as acapy_main

    acapy_main(["aca-py", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
