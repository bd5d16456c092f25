"""Hostile input against a real inbox on loopback: every row gets a clean 4xx, in bounded time,
and nothing already queued is lost or changed. The server runs with its shipped timeouts."""

import hashlib
import json
import socket
import time

import pytest

from wallet.inbox.httpserve import Timeouts
from wallet.inbox.service import start_service
from wallet.inbox.store import Limits

from .envelopes import HOLDER_KID, WIRE, b64url, envelope, reserialised
from .fakes import FakeAgent
from .hostile import exchange, request

PERSON = "h" * 24
KEY = "test-control-key"
DEEP = 100_000
MIB = 1024 * 1024
BOUND = 20.0  # no row may take longer than this to be answered or closed
TALLY = {"tried": 0, "clean": 0, "5xx": 0, "hangs": 0}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_service(tmp_path_factory.mktemp("hostile") / "inbox", KEY, post=FakeAgent())
    server.inbox.register(PERSON, "http://127.0.0.1:9")
    server.inbox.register_keys(PERSON, [HOLDER_KID])
    server.inbox.hold(PERSON)
    server.kept = envelope()
    server.inbox.receive(PERSON, server.kept, WIRE)
    yield server
    server.stop()
    print(f"\nhostile inputs: {TALLY}")


def queue_state(server):
    store = server.inbox.store
    return [
        (q.name, hashlib.sha256(store.read(PERSON, q)).hexdigest()) for q in store.pending(PERSON)
    ]


def didcomm(body, content_type=WIRE, person=PERSON, **headers):
    return request("POST", f"/didcomm/{person}", body, {"Content-Type": content_type, **headers})


def control(path, body=b"", key=KEY, method="POST"):
    return request(method, f"/control/{PERSON}{path}", body, {"x-api-key": key})


def raw(text):
    return text.encode("latin-1")


def raw_post(headers, body=""):
    """A POST to the envelope route with exactly these header lines (no Content-Type added)."""
    return raw(f"POST /didcomm/{PERSON} HTTP/1.1\r\n{headers}\r\n{body}")


CT = f"Content-Type: {WIRE}\r\n"
DEEP_BODY = b"[" * DEEP + b"]" * DEEP
DEEP_PROTECTED = envelope(protected=b64url(b"{" * 50_000 + b"}" * 50_000))
HOSTILE = [
    # malformed JSON and wrong types
    ("not json", didcomm(b"{not json"), {400}),
    ("invalid utf-8", didcomm(b'{"protected": "\xff\xfe"}'), {400}),
    ("plaintext message", didcomm(b'{"@type": "https://didcomm.org/x/1.0/y"}'), {400}),
    ("json array", didcomm(b"[1, 2, 3]"), {400}),
    (
        "fields of the wrong type",
        didcomm(b'{"protected": 1, "iv": 2, "ciphertext": [], "tag": {}}'),
        {400},
    ),
    ("protected not base64", didcomm(envelope(protected="%%%")), {400}),
    ("protected not json", didcomm(envelope(protected=b64url(b"not json"))), {400}),
    ("recipients not a list", didcomm(envelope(protected=b64url({"recipients": {"a": 1}}))), {400}),
    (
        "kid not a string",
        didcomm(envelope(protected=b64url({"recipients": [{"header": {"kid": [1]}}]}))),
        {400},
    ),
    ("empty body", didcomm(b""), {400}),
    # deep nesting
    ("body nested 100,000 deep", didcomm(DEEP_BODY), {400}),
    ("protected nested 100,000 deep", didcomm(DEEP_PROTECTED), {400}),
    ("object nested 100,000 deep", didcomm(b'{"a":' * DEEP + b"1" + b"}" * DEEP), {400}),
    ("control body nested 100,000 deep", control("/register", DEEP_BODY), {400}),
    ("keys body nested 100,000 deep", control("/keys", b'{"keys": ' + DEEP_BODY + b"}"), {400}),
    # sizes and lengths
    ("3 MiB announced", raw_post(f"{CT}Content-Length: {3 * MIB}\r\n", "x" * 1000), {413}),
    ("3 MiB sent", didcomm(envelope(ciphertext_bytes=3 * MIB)), {413}),
    ("huge control body", control("/register", b" " * MIB), {413}),
    ("Content-Length -1", raw_post(f"{CT}Content-Length: -1\r\n", "{}"), {400}),
    ("Content-Length not a number", raw_post(f"{CT}Content-Length: abc\r\n"), {400}),
    ("Content-Length 1e3", raw_post("Content-Length: 1e3\r\n"), {400}),
    ("Content-Length huge", raw_post("Content-Length: 99999999999999999999\r\n"), {400}),
    (
        "two different Content-Lengths",
        raw_post("Content-Length: 2\r\nContent-Length: 5\r\n", "{}"),
        {400},
    ),
    ("no Content-Length", didcomm(envelope()).replace(b"Content-Length", b"X-Length"), {411}),
    (
        "chunked body",
        raw_post(f"Transfer-Encoding: chunked\r\n{CT}", "2\r\n{}\r\n0\r\n\r\n"),
        {411},
    ),
    (
        "Content-Length 1000, 2 bytes sent",
        raw_post(f"{CT}Content-Length: 1000\r\n", "{}"),
        {408},
    ),
    # methods, paths and protocol
    *[
        (f"{m} on the envelope route", request(m, f"/didcomm/{PERSON}"), {405})
        for m in ("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO")
    ],
    ("GET on the envelope route", request("GET", f"/didcomm/{PERSON}"), {405}),
    ("PUT on health", request("PUT", "/health"), {405}),
    ("DELETE on control", control("", method="DELETE"), {405}),
    ("GET on a control action", control("/hold", method="GET"), {405}),
    ("unknown person", didcomm(envelope(), person="u" * 24), {404}),
    ("path traversal", didcomm(envelope(), person="../../etc/passwd"), {404}),
    ("encoded traversal", didcomm(envelope(), person="%2e%2e%2f%2e%2e"), {404}),
    ("null byte in path", didcomm(envelope(), person="h" * 24 + "%00"), {404}),
    ("unknown route", request("POST", "/admin"), {404}),
    ("wrong content type", didcomm(envelope(), "application/json"), {415}),
    ("unknown recipient key", didcomm(envelope(kids=("somebody-else-entirely",))), {404}),
    ("HTTP/2.0 request line", raw("GET /health HTTP/2.0\r\n\r\n"), {400}),
    ("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", {400}),
    ("request line of 70,000 bytes", raw("GET /" + "a" * 70_000 + " HTTP/1.1\r\n\r\n"), {414}),
    (
        "header line of 70,000 bytes",
        raw("GET /health HTTP/1.1\r\nX-A: " + "a" * 70_000 + "\r\n\r\n"),
        {431},
    ),
    (
        "200 headers",
        raw("GET /health HTTP/1.1\r\n" + "".join(f"X-{i}: v\r\n" for i in range(200)) + "\r\n"),
        {431},
    ),
    # control calls
    ("no control key", control("", method="GET", key=""), {403}),
    ("wrong control key", control("/hold", key="wrong"), {403}),
    (
        "non-ASCII control key",
        raw(f"GET /control/{PERSON} HTTP/1.1\r\n") + "x-api-key: clé-ключ\r\n\r\n".encode(),
        {403},
    ),
    ("register without a target", control("/register", b'{"deliver_to": 5}'), {400}),
    (
        "register a remote target",
        control("/register", b'{"deliver_to": "http://10.0.0.1:8030"}'),
        {400},
    ),
    ("register a malformed target", control("/register", b'{"deliver_to": "http://[::1"}'), {400}),
    ("keys not a list", control("/keys", b'{"keys": "abc"}'), {400}),
    ("keys of the wrong type", control("/keys", b'{"keys": [1, null, {}]}'), {400}),
    (
        "too many keys in one call",
        control("/keys", json.dumps({"keys": [f"key-{i:06d}" for i in range(1001)]}).encode()),
        {400},
    ),
    ("unknown control action", control("/explode"), {404}),
]


@pytest.mark.parametrize(("name", "data", "allowed"), HOSTILE, ids=[row[0] for row in HOSTILE])
def test_hostile_request_gets_a_clean_refusal_in_bounded_time(server, name, data, allowed):
    before = queue_state(server)
    TALLY["tried"] += 1
    try:
        outcome = exchange(server._server.server_address[1], data, wait=BOUND)
    except TimeoutError:
        TALLY["hangs"] += 1
        raise
    TALLY["5xx"] += outcome.status is not None and outcome.status >= 500
    assert outcome.status in allowed, (name, outcome.status, outcome.body[:200])
    assert outcome.seconds < BOUND
    if outcome.status >= 400 and outcome.status != 405 and outcome.headers.get("content-type"):
        assert json.loads(outcome.body)["error"]
    assert queue_state(server) == before
    TALLY["clean"] += 1


TRICKLED = didcomm(envelope())
HEADERS_END = TRICKLED.index(b"\r\n\r\n") + 4


@pytest.mark.parametrize(
    ("name", "at_once", "allowed"),
    [
        ("a body trickled a byte a second", HEADERS_END, {408}),
        ("a request line and headers trickled a byte a second", 0, {400, 408, None}),
    ],
)
def test_a_trickling_client_is_cut_off_within_seconds(server, name, at_once, allowed):
    before = queue_state(server)
    TALLY["tried"] += 1
    port = server._server.server_address[1]
    outcome = exchange(port, TRICKLED, pace=1.0, wait=BOUND, at_once=at_once)
    assert outcome.status in allowed, (name, outcome.status)  # answered, or closed
    assert outcome.seconds < BOUND
    assert queue_state(server) == before
    TALLY["clean"] += 1


def test_a_reserialised_replay_is_acknowledged_and_not_queued_again(server):
    before = queue_state(server)
    TALLY["tried"] += 1
    outcome = exchange(server._server.server_address[1], didcomm(reserialised(server.kept)))
    assert (outcome.status, outcome.body) == (202, b"")
    assert queue_state(server) == before
    TALLY["clean"] += 1


def test_a_flood_from_one_connection_fills_only_its_share(tmp_path):
    flooder, friend = "key-of-a-hostile-firm", "key-of-a-friendly-firm"
    limits = Limits()  # the shipped caps
    server = start_service(tmp_path / "inbox", KEY, limits=limits, post=FakeAgent())
    try:
        server.inbox.register(PERSON, "http://127.0.0.1:9")
        server.inbox.register_keys(PERSON, [flooder, friend])
        server.inbox.hold(PERSON)
        port = server._server.server_address[1]
        statuses = []
        TALLY["tried"] += 34
        for _ in range(32):  # 32 junk envelopes of ~1.9 MiB each
            junk = envelope(kids=(flooder,), ciphertext_bytes=1400 * 1024)
            statuses.append(exchange(port, didcomm(junk)).status)
        accepted = statuses.count(202)
        assert 0 < accepted < 32 and set(statuses) == {202, 507}
        assert accepted * 1.9 * MIB <= limits.per_key_bytes
        assert exchange(port, didcomm(envelope(kids=(friend,)))).status == 202
        strangers = envelope(kids=("a-key-nobody-registered",), ciphertext_bytes=1400 * 1024)
        assert exchange(port, didcomm(strangers)).status == 404
        assert server.inbox.pending_count(PERSON) == accepted + 1
        TALLY["clean"] += 32 - accepted + 1  # the 507s and the stranger's 404
    finally:
        server.stop()


def test_connections_past_the_cap_are_answered_429_and_the_slot_comes_back(tmp_path):
    timeouts = Timeouts(max_connections=2)
    server = start_service(tmp_path / "inbox", KEY, post=FakeAgent(), timeouts=timeouts)
    port = server._server.server_address[1]
    health = request("GET", "/health")
    try:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        try:
            refused = exchange(port, health, wait=BOUND)
            assert refused.status == 429 and refused.headers["retry-after"] == "1"
        finally:
            for sock in idle:
                sock.close()
        deadline = time.monotonic() + BOUND
        while (answer := exchange(port, health, wait=BOUND)).status == 429:
            assert time.monotonic() < deadline, "the slots never came back"
            time.sleep(0.05)
        assert answer.status == 200
    finally:
        server.stop()
