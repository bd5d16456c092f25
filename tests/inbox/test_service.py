"""The inbox over HTTP: what a sender is answered, and the control calls of the wallet."""

import errno
import json
import os

import httpx
import pytest

from wallet.inbox.client import InboxClient
from wallet.inbox.errors import StorageFull
from wallet.inbox.service import start_service
from wallet.inbox.store import Limits, new_person_id

from .envelopes import ENC, HOLDER_KID, WIRE, envelope
from .fakes import FakeAgent

PERSON = "r" * 24
KEY = "test-control-key"
LIMITS = Limits(max_envelope=4096, max_count=3, max_bytes=10**6)


@pytest.fixture
def agent():
    return FakeAgent()


@pytest.fixture
def service(tmp_path, agent):
    server = start_service(tmp_path / "inbox", KEY, limits=LIMITS, post=agent)
    server.inbox.register(PERSON, "http://127.0.0.1:9")
    server.inbox.register_keys(PERSON, [HOLDER_KID])
    server.inbox.hold(PERSON)
    yield server
    server.stop()


@pytest.fixture
def client(service):
    client = InboxClient(service.url, KEY)
    yield client
    client.close()


def post(service, body, content_type=WIRE, person=PERSON):
    return httpx.post(
        service.endpoint_for(person), content=body, headers={"Content-Type": content_type}
    )


@pytest.mark.parametrize(
    ("body", "content_type", "person", "status"),
    [
        (envelope(), WIRE, PERSON, 202),
        (envelope(), ENC, PERSON, 202),
        (b"{not json", WIRE, PERSON, 400),
        (b'{"@type": "a plaintext message"}', WIRE, PERSON, 400),
        (envelope(ciphertext_bytes=5000), WIRE, PERSON, 413),
        (envelope(), "text/plain", PERSON, 415),
        (envelope(), WIRE, "s" * 24, 404),
        (envelope(), WIRE, "..", 404),
        (envelope(kids=("not-the-holder",)), WIRE, PERSON, 404),
    ],
)
def test_sender_gets_a_clear_status(service, body, content_type, person, status):
    answer = post(service, body, content_type, person)
    assert answer.status_code == status
    if status == 202:
        assert answer.content == b""  # a DIDComm transport's acknowledgement: no body
    else:
        assert answer.json()["error"]
    assert service.inbox.pending_count(PERSON) == (1 if status == 202 else 0)


def test_full_queue_answers_507_and_keeps_what_it_has(service):
    bodies = [envelope() for _ in range(3)]
    assert [post(service, b).status_code for b in bodies] == [202, 202, 202]
    answer = post(service, envelope())
    assert answer.status_code == 507
    assert "full" in answer.json()["error"]
    store = service.inbox.store
    assert [store.read(PERSON, q) for q in store.pending(PERSON)] == bodies


def test_oversized_envelope_leaves_the_queue_intact(service):
    post(service, envelope())
    before = service.inbox.store.pending(PERSON)
    assert post(service, envelope(ciphertext_bytes=100_000)).status_code == 413
    assert post(service, envelope()).status_code == 202  # the connection state is sane
    assert service.inbox.store.pending(PERSON)[:1] == before


def test_full_disk_answers_507_and_keeps_the_queue(tmp_path, agent):
    def no_space(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    root = tmp_path / "inbox"
    first = start_service(root, KEY, post=agent)
    first.inbox.register(PERSON, "http://127.0.0.1:9")
    first.inbox.register_keys(PERSON, [HOLDER_KID])
    first.inbox.hold(PERSON)
    kept = envelope()
    assert post(first, kept).status_code == 202
    first.stop()
    server = start_service(root, KEY, post=agent, write=no_space)
    try:
        answer = post(server, envelope())
        assert answer.status_code == 507
        assert "disk space" in answer.json()["error"]
        assert [server.inbox.store.read(PERSON, q) for q in server.inbox.store.pending(PERSON)] == [
            kept
        ]
    finally:
        server.stop()
    assert StorageFull.status == 507


def test_duplicate_is_answered_202_and_not_queued_again(service):
    body = envelope()
    assert (post(service, body).status_code, post(service, body).status_code) == (202, 202)
    assert service.inbox.pending_count(PERSON) == 1


def test_control_calls_count_deliver_and_hold(service, client, agent):
    bodies = [envelope() for _ in range(2)]
    for body in bodies:
        post(service, body)
    assert client.pending_count(PERSON) == 2
    assert client.deliver_now(PERSON)["delivered"] == 2
    assert agent.wait_for(2) == bodies
    assert client.pending_count(PERSON) == 0
    client.hold(PERSON)
    post(service, envelope())
    assert client.pending(PERSON).count == 1


@pytest.mark.parametrize("key", ["", "wrong"])
def test_control_calls_need_the_key(service, key):
    answer = httpx.get(f"{service.url}/control/{PERSON}", headers={"x-api-key": key})
    assert answer.status_code == 403


def test_nothing_but_sizes_and_key_ids_reach_the_log(service, caplog):
    body = envelope(kids=("the-kid",))
    service.inbox.register_keys(PERSON, ["the-kid"])
    with caplog.at_level("INFO", logger="tessera.inbox"):
        post(service, body)
    text = caplog.text
    assert "the-kid" in text
    assert str(len(body)) in text
    payload = json.loads(body)
    assert payload["ciphertext"] not in text and payload["protected"] not in text


def test_register_serves_a_new_person_id_for_its_registered_keys(service, client):
    newcomer = new_person_id()
    assert post(service, envelope(), person=newcomer).status_code == 404
    client.register(newcomer, "http://127.0.0.1:8030")
    client.hold(newcomer)  # as a locked wallet would: keep it queued
    assert post(service, envelope(), person=newcomer).status_code == 404  # no key yet
    assert client.register_keys(newcomer, [HOLDER_KID]) == {"added": 1, "keys": 1}
    assert client.register_keys(newcomer, [HOLDER_KID]) == {"added": 0, "keys": 1}
    assert post(service, envelope(), person=newcomer).status_code == 202
    assert client.pending_count(newcomer) == 1
    assert client.request("GET", f"/control/{newcomer}")["keys"] == 1


@pytest.mark.parametrize("body", [b"", b"[]", b'{"deliver_to": 5}', b"not json"])
def test_register_needs_a_target(service, body):
    answer = httpx.post(
        f"{service.url}/control/{new_person_id()}/register",
        content=body,
        headers={"x-api-key": KEY},
    )
    assert answer.status_code == 400
