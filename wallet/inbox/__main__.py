"""Run the inbox as its own process: `python -m wallet.inbox --home DIR [--port N]`."""

import argparse
import logging
import os
import signal
import sys
import threading

from ..agent.deployment import Deployment
from ..errors import WalletError
from ..settings import from_env
from .holder import control_key, holder_person_id, holder_target, inbox_port, inbox_root
from .service import Inbox, InboxServer
from .store import Limits


def main(argv=None):
    """Serve the holder's inbox until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m wallet.inbox", description=__doc__)
    parser.add_argument("--home", help="Tessera data directory (default $TESSERA_HOME)")
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 (default 8035 + offset)")
    parser.add_argument("--port-offset", type=int, help="default $TESSERA_PORT_OFFSET or 0")
    parser.add_argument("--max-count", type=int, default=Limits.max_count)
    parser.add_argument("--max-bytes", type=int, default=Limits.max_bytes)
    parser.add_argument("--max-envelope", type=int, default=Limits.max_envelope)
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when stdin closes (the supervising process is gone, however it ended)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the inbox logs its deliveries itself
    try:
        settings = from_env(home=args.home, port_offset=args.port_offset)
        limits = Limits(args.max_envelope, args.max_count, args.max_bytes)
        inbox = Inbox.open(inbox_root(settings), limits=limits)
        person_id = holder_person_id(settings)
        inbox.register(person_id, holder_target(Deployment(settings)))
        port = args.port if args.port is not None else inbox_port(settings)
        server = InboxServer(inbox, control_key(settings), port=port)
    except (WalletError, OSError) as exc:
        print(f"tessera inbox: {exc}", file=sys.stderr)
        return 2

    def shutdown(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    if args.exit_with_stdin:
        threading.Thread(target=_stop_when_stdin_closes, args=(server,), daemon=True).start()
    logging.getLogger("tessera.inbox").info(
        "inbox serving on %s (holder endpoint %s)", server.url, server.endpoint_for(person_id)
    )
    try:
        server.serve_forever()
    finally:
        server.stop()
    return 0


def _stop_when_stdin_closes(server):
    # os.read, not sys.stdin: a thread blocked inside the buffered reader holds its lock
    # and makes the interpreter abort at exit ("could not acquire lock for <stdin>").
    while os.read(0, 4096):
        continue
    logging.getLogger("tessera.inbox").warning("supervisor gone (stdin closed); stopping")
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
