"""/etc/hosts lines for processes that resolve names with getaddrinfo (Node, Credo).

Tessera's own processes map `*.localhost` to 127.0.0.1 in process and never need this.
A missing line fails the test: it must never fall back to a DNS query.
"""

import os
import re
from pathlib import Path

HOSTS = Path("/etc/hosts")


def maps_to_loopback(name: str, text: str) -> bool:
    """Tell whether hosts-file `text` maps `name` to 127.0.0.1 (pure)."""
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] == "127.0.0.1" and name in fields[1:]:
            return True
    return False


def ensure_mapping(name: str, path: Path = HOSTS, write: bool = True) -> None:
    """Make sure `name` maps to 127.0.0.1 in `path` (appending if `write` and allowed).

    AssertionError, saying what to do, when the line is missing and cannot be written.
    """
    if not re.fullmatch(r"[a-z0-9.-]+\.localhost", name):
        raise ValueError(f"{name!r}: only names under .localhost are written")
    text = path.read_text() if path.exists() else ""
    if not maps_to_loopback(name, text) and write and os.access(path, os.W_OK):
        with path.open("a") as hosts:
            hosts.write(("" if text.endswith("\n") or not text else "\n") + f"127.0.0.1 {name}\n")
        text = path.read_text()
    assert maps_to_loopback(name, text), (
        f"{path} does not map {name} to 127.0.0.1 and cannot be written; add the line "
        f"'127.0.0.1 {name}' (as root) or run .ci/run, which writes it"
    )
