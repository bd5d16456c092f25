"""Run ACA-Py in this process, and stop it when the supervising process goes away.

The supervisor keeps the write end of our stdin. Its first line is a JSON object of
secrets (the wallet key, the admin API key) as ACA-Py's environment variable names:
they are put into this process's environment, where ACA-Py's argument parser reads
them, so they never touch the disk, a command line or the environment the process
was started with (`/proc/PID/environ`). When the supervisor exits, however it exits
(even `kill -9`), the pipe closes, the read below returns, and we send ourselves
SIGTERM so ACA-Py shuts down cleanly. No agent outlives the Tessera that started it.
"""

import json
import os
import signal
import sys
import threading

# The only variables the supervisor may set through the pipe.
SECRET_VARS = frozenset({"ACAPY_WALLET_KEY", "ACAPY_ADMIN_API_KEY", "ACAPY_WALLET_STORAGE_CREDS"})


def _first_line(fd):
    """Read one line from a file descriptor, byte by byte (nothing after it is consumed)."""
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            break
        line += byte
    return bytes(line)


def read_secrets(fd):
    """Read the first line of `fd`: a JSON object of allowed secret variables."""
    line = _first_line(fd)
    if not line.strip():
        return {}
    try:
        found = json.loads(line)
    except ValueError:
        raise SystemExit("tessera agent launch: the supervisor's first line is not JSON") from None
    if not isinstance(found, dict) or not set(found) <= SECRET_VARS:
        raise SystemExit("tessera agent launch: the supervisor sent unknown secret names")
    if not all(isinstance(v, str) for v in found.values()):
        raise SystemExit("tessera agent launch: secrets must be text")
    return found


def _stop_when_stdin_closes():
    # os.read, not sys.stdin: a daemon thread blocked in a buffered read makes the
    # interpreter abort at exit ("Fatal Python error: _enter_buffered_busy").
    while os.read(0, 4096):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv=None):
    """Start ACA-Py with `argv` (e.g. ['start', '--arg-file', PATH])."""
    os.environ.update(read_secrets(0))
    threading.Thread(target=_stop_when_stdin_closes, daemon=True).start()
    from acapy_agent.__main__ import main as acapy_main

    acapy_main(["aca-py", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
