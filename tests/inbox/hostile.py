"""A raw HTTP client for hostile tests: exact bytes, optional trickling, a bounded wait."""

import socket
import threading
import time
from dataclasses import dataclass


@dataclass
class Outcome:
    """What came back: the status (None if the connection closed first), headers, body, time."""

    status: int | None
    headers: dict
    body: bytes
    seconds: float


def _headers(head):
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def _read_answer(sock, deadline):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = _recv(sock, deadline)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(_headers(head).get("content-length", "0"))
    while len(body) < length:
        chunk = _recv(sock, deadline)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _recv(sock, deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("no answer in time")
    sock.settimeout(left)
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def exchange(port, data, pace=None, piece=1, wait=30.0, at_once=0):
    """Send `data` (after its first `at_once` bytes, trickled `piece` bytes every `pace`
    seconds) and return the `Outcome`.

    Raises `TimeoutError` when nothing (neither an answer nor a close) came within `wait`.
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=wait)
    start = time.monotonic()
    stop = threading.Event()

    def send():
        try:
            if pace is None:
                sock.sendall(data)
                return
            sock.sendall(data[:at_once])
            for i in range(at_once, len(data), piece):
                if stop.is_set():
                    return
                sock.sendall(data[i : i + piece])
                stop.wait(pace)
        except OSError:
            return  # the server answered (or closed) before the whole request was sent

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        raw = _read_answer(sock, start + wait)
    finally:
        stop.set()
        sock.close()
        sender.join(5)
    seconds = time.monotonic() - start
    if not raw:
        return Outcome(None, {}, b"", seconds)
    status_line = raw.partition(b"\r\n")[0]
    head, _, body = raw.partition(b"\r\n\r\n")
    return Outcome(int(status_line.split()[1]), _headers(head), body, seconds)


def request(method, path, body=b"", headers=None, content_length=True):
    """Return the bytes of an HTTP/1.1 request (Content-Length set unless told not to)."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
