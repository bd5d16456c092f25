"""The local CA: made once, its key owner-only, server certificates Python's TLS accepts."""

import datetime
import socket
import ssl
import threading

from wallet.webvh.tls import LocalCA

from .helpers import HOST, NOW


def test_the_ca_is_made_once_and_its_key_is_owner_only(tmp_path):
    ca = LocalCA(tmp_path / "ca").ensure(NOW)
    first = ca.cert_file.read_bytes()
    assert (tmp_path / "ca" / "ca-key.pem").stat().st_mode & 0o777 == 0o600
    assert (
        LocalCA(tmp_path / "ca").ensure(NOW + datetime.timedelta(days=1)).cert_file.read_bytes()
        == first
    )
    # Close to expiry it is made again.
    renewed = LocalCA(tmp_path / "ca").ensure(NOW + datetime.timedelta(days=3640))
    assert renewed.cert_file.read_bytes() != first


def test_a_server_certificate_is_kept_until_its_names_or_ca_change(tmp_path):
    ca = LocalCA(tmp_path / "ca").ensure(NOW)
    cert = ca.issue_server([HOST], tmp_path / "tls", NOW)
    first = cert.cert_file.read_bytes()
    assert cert.key_file.stat().st_mode & 0o777 == 0o600
    assert ca.issue_server([HOST], tmp_path / "tls", NOW).cert_file.read_bytes() == first
    assert (
        ca.issue_server(
            [HOST, "other.tessera.localhost"], tmp_path / "tls", NOW
        ).cert_file.read_bytes()
        != first
    )
    other = LocalCA(tmp_path / "ca2").ensure(NOW)
    assert (
        other.issue_server(
            [HOST, "other.tessera.localhost"], tmp_path / "tls", NOW
        ).cert_file.read_bytes()
        != first
    )


def test_python_tls_verifies_the_server_by_name_with_only_this_ca(tmp_path):
    now = datetime.datetime.now(datetime.UTC)  # the TLS stack checks validity against today
    ca = LocalCA(tmp_path / "ca").ensure(now)
    cert = ca.issue_server([HOST], tmp_path / "tls", now)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert.cert_file, cert.key_file)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def accept():
            conn, _ = listener.accept()
            try:
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"ok")
            except (ssl.SSLError, OSError):
                pass

        threading.Thread(target=accept, daemon=True).start()
        client_ctx = ssl.create_default_context(cafile=ca.cert_file)
        assert client_ctx.verify_flags & ssl.VERIFY_X509_STRICT  # Python 3.13's strict checks
        with (
            socket.create_connection(("127.0.0.1", port)) as raw,
            client_ctx.wrap_socket(raw, server_hostname=HOST) as tls,
        ):
            assert tls.recv(2) == b"ok"
