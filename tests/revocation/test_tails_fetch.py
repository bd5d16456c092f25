"""The holder's tails fetcher: URL checks (pure, the egress policy) and downloads from loopback.

The full address table is the egress policy's (tests/egress/test_policy.py); here only
that the fetcher applies it, with the deployment's loopback setting.
"""

import asyncio
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import base58
import pytest

from wallet.tails.fetch import TailsRefused, check_tails_url, fetch_tails

GOOD = b"\x00\x02" + bytes(range(256)) * 8
GOOD_HASH = base58.b58encode(hashlib.sha256(GOOD).digest()).decode()


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://127.0.0.1:8050/hash/x", "http://127.0.0.1:8050/hash/x"),
        ("http://localhost/hash/x", "http://localhost/hash/x"),
        (
            "http://tails.tessera.localhost:8050/hash/x",
            "http://tails.tessera.localhost:8050/hash/x",
        ),
        ("http://[::1]:8050/hash/x", "http://[::1]:8050/hash/x"),
        ("http://0x7f000001:8050/hash/x", "http://127.0.0.1:8050/hash/x"),
    ],
)
def test_loopback_tails_urls_pass_only_where_the_deployment_allows(url, canonical):
    assert check_tails_url(url, allow_loopback=True) == canonical
    with pytest.raises(TailsRefused, match="loopback"):
        check_tails_url(url, allow_loopback=False)


@pytest.mark.parametrize(
    "url", ["https://tails.example.org/hash/x", "https://93.184.216.34/hash/x"]
)
def test_public_addresses_and_host_names_pass_the_url_check(url):
    """Names are checked again on every address they resolve to when connecting."""
    assert check_tails_url(url, allow_loopback=False) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "not http"),
        ("ftp://127.0.0.1/x", "not http"),
        ("gopher://127.0.0.1/x", "not http"),
        ("/hash/x", "not http"),
        ("http:///hash/x", "no host"),
        ("http://10.1.2.3/hash/x", "private"),
        ("http://192.168.0.10:8050/hash/x", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fe80::1]/hash/x", "link-local"),
        ("http://[fd00::5]/hash/x", "private"),
        ("http://user:pw@127.0.0.1/hash/x", "credentials"),
        ("http://127.0.0.1:99999/hash/x", "malformed"),
        ("http://100.64.0.1/hash/x", "shared address space"),
        ("http://0x0a000001/hash/x", "10.0.0.1, a private address"),
        ("http://[::ffff:192.168.0.1]/hash/x", "192.168.0.1, a private address"),
    ],
)
def test_url_check_refuses_other_schemes_and_private_addresses(url, why):
    with pytest.raises(TailsRefused, match=why):
        check_tails_url(url, allow_loopback=True)


class LocalServer:
    """A loopback HTTP server with one path per kind of bad download."""

    def __init__(self):
        """Serve on 127.0.0.1, any free port."""
        self.release = threading.Event()
        self.requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        """Return the URL of `path`."""
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self):
        """Release stalled handlers and stop."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        test_server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                test_server.requests.append(self.path)
                body = {"/good": GOOD, "/other": GOOD[:-1] + b"?"}.get(self.path)
                if self.path == "/big":
                    self._send(200, b"x" * 100_000, length=True)
                elif self.path == "/big-unannounced":
                    self._send(200, b"x" * 100_000, length=False)
                elif self.path == "/slow":
                    self.send_response(200)
                    self.send_header("content-length", str(len(GOOD)))
                    self.end_headers()
                    self.wfile.write(GOOD[:10])
                    self.wfile.flush()
                    test_server.release.wait(10)
                elif self.path == "/to-good":
                    self.send_response(307)
                    self.send_header("location", test_server.url("/good"))
                    self.send_header("content-length", "0")
                    self.end_headers()
                elif self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("location", "http://169.254.169.254/")
                    self.send_header("content-length", "0")
                    self.end_headers()
                elif body is not None:
                    self._send(200, body, length=True)
                else:
                    self._send(404, b"no", length=True)

            def _send(self, status, body, length):
                self.send_response(status)
                if length:
                    self.send_header("content-length", str(len(body)))
                else:
                    self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                return

        return Handler


@pytest.fixture
def server():
    """A running test server on 127.0.0.1."""
    srv = LocalServer()
    yield srv
    srv.close()


def fetch(url, dest, allow_loopback=True, **limits):
    """Run the fetcher to completion (loopback allowed, as in a test world)."""
    return asyncio.run(fetch_tails(url, GOOD_HASH, dest, allow_loopback=allow_loopback, **limits))


def test_good_download_is_stored_under_its_hash(server, tmp_path):
    dest = tmp_path / "tails" / GOOD_HASH
    assert fetch(server.url("/good"), dest) == dest
    assert dest.read_bytes() == GOOD
    assert [p.name for p in dest.parent.iterdir()] == [GOOD_HASH]


@pytest.mark.parametrize(
    ("path", "limits", "why"),
    [
        ("/big", {"max_bytes": 50_000}, "larger than 50000 bytes"),
        ("/big-unannounced", {"max_bytes": 50_000}, "larger than 50000 bytes"),
        ("/slow", {"timeout": 0.5}, "did not arrive within 0.5 s"),
        ("/other", {}, "hashes to"),
        ("/missing", {}, "HTTP 404"),
        ("/redirect", {}, "HTTP 302, a redirect to http://169.254.169.254/; Tessera follows no"),
    ],
)
def test_bad_download_is_refused_and_leaves_no_file(server, tmp_path, path, limits, why):
    dest = tmp_path / "tails" / GOOD_HASH
    with pytest.raises(TailsRefused, match=why):
        fetch(server.url(path), dest, **limits)
    assert list(dest.parent.iterdir()) == []


def test_refused_download_keeps_an_existing_good_file(server, tmp_path):
    dest = tmp_path / GOOD_HASH
    dest.write_bytes(GOOD)
    with pytest.raises(TailsRefused):
        fetch(server.url("/other"), dest)
    assert dest.read_bytes() == GOOD
    assert [p.name for p in tmp_path.iterdir()] == [GOOD_HASH]


def test_bad_tails_hash_is_refused_before_any_download(tmp_path):
    with pytest.raises(ValueError, match="not a tails hash"):
        asyncio.run(
            fetch_tails("http://127.0.0.1:1/x", "../../evil", tmp_path / "x", allow_loopback=True)
        )


def test_production_setting_refuses_a_loopback_tails_server_before_connecting(server, tmp_path):
    dest = tmp_path / "tails" / GOOD_HASH
    with pytest.raises(TailsRefused, match="loopback"):
        fetch(server.url("/good"), dest, allow_loopback=False)
    assert server.requests == []
    assert not dest.parent.exists()


def test_a_localhost_name_is_fetched_from_127_0_0_1_without_dns(server, tmp_path):
    dest = tmp_path / "tails" / GOOD_HASH
    url = server.url("/good").replace("127.0.0.1", "tails.tessera.localhost")
    assert fetch(url, dest) == dest
    assert dest.read_bytes() == GOOD


def test_a_redirect_is_not_followed(server, tmp_path):
    with pytest.raises(TailsRefused, match="redirect"):
        fetch(server.url("/to-good"), tmp_path / GOOD_HASH)
    assert server.requests == ["/to-good"]
