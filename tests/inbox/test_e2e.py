"""End to end: a firm's offer and proof request reach a locked wallet exactly once, and a
captured envelope replayed (re-serialised, through the inbox or straight to the agent's
port) changes nothing."""

import concurrent.futures
import datetime

import httpx
import pytest

from wallet import scenario
from wallet.flows import issue, present

from .envelopes import WIRE, envelope, reserialised
from .polling import wait_until

pytestmark = pytest.mark.e2e


def queued_bodies(world):
    """Return the bytes of the holder's queued envelopes, in order (encrypted, opaque)."""
    store_dir = world.settings.home / "inbox" / world.person_id / "queue"
    return [p.read_bytes() for p in sorted(store_dir.iterdir()) if not p.name.startswith(".")]


def to_inbox(world, body):
    """Post an envelope to the holder's public endpoint, as a firm's agent would."""
    endpoint = f"http://127.0.0.1:{world.inbox.port}/didcomm/{world.person_id}"
    return httpx.post(endpoint, content=body, headers={"Content-Type": WIRE}, timeout=30)


def to_holder(world, body):
    """Post an envelope straight to the holder agent's own port, past the inbox."""
    inbound = f"http://127.0.0.1:{world.deployment.ports('holder').inbound}"
    return httpx.post(inbound, content=body, headers={"Content-Type": WIRE}, timeout=30)


def holder_counts(world):
    """Return (credentials, credential exchanges, proof exchanges) the holder has."""
    admin = world.holder.admin
    return (
        len(admin.get("/credentials", count=1000)["results"]),
        len(admin.get("/issue-credential-2.0/records")["results"]),
        len(admin.get("/present-proof-2.0/records")["results"]),
    )


def test_offer_and_request_sent_while_locked_arrive_once_after_inbox_crash(inbox_world_running):
    world = inbox_world_running
    client, person = world.inbox.client, world.person_id
    person_data = scenario.load_person()
    name = scenario.IDENTITY

    # Lock: the inbox holds, the holder agent stops.
    client.hold(person)
    world.holder_agent.stop()

    # Firms write while the wallet is locked.
    cred_ex_id = issue.offer_credential(
        world.issuer,
        world.issuer_conn,
        world.cred_defs[name],
        world.schemas[name],
        person_data[name],
    )
    offer_thread = world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}")[
        "cred_ex_record"
    ]["thread_id"]
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    _, request_thread = present.request_proof(world.verifier, world.verifier_conn, request)
    wait_until(lambda: client.pending_count(person) == 2, "offer and request in the inbox")
    locked_bodies = queued_bodies(world)

    # An oversized envelope is refused and nothing queued is touched.
    answer = to_inbox(world, envelope(ciphertext_bytes=3 * 1024 * 1024))
    assert answer.status_code == 413
    assert queued_bodies(world) == locked_bodies

    # The inbox crashes between receiving and delivering; its supervisor brings it back.
    world.inbox.kill()
    world.inbox.wait_ready()
    assert client.pending_count(person) == 2
    wait_until(lambda: world.inbox.restarts == 1, "the supervisor to count the restart")

    # Unlock: the holder starts, delivery is triggered.
    world.holder_agent.start()
    report = client.deliver_now(person)
    assert (report["delivered"], report["remaining"]) == (2, 0)
    holder_cred_ex = issue.wait_offer(world.holder, offer_thread)
    record = present.wait_request(world.holder, request_thread)
    assert record["state"] == "request-received"

    # Accept the offer; hold the inbox meanwhile to keep a copy of the issue message.
    client.hold(person)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        accepted = pool.submit(issue.accept_offer, world.holder, holder_cred_ex)
        wait_until(lambda: client.pending_count(person) == 1, "the credential in the inbox")
        issue_body = queued_bodies(world)[0]
        assert client.deliver_now(person)["delivered"] == 1
        assert accepted.result(timeout=60)
    before = holder_counts(world)
    assert before[0] == 1

    # Every envelope replayed through the inbox, as captured or re-serialised, changes nothing.
    for body in [*locked_bodies, issue_body]:
        for copy in (body, reserialised(body)):
            answer = to_inbox(world, copy)
            assert (answer.status_code, answer.content) == (202, b"")
    assert client.pending_count(person) == 0
    assert holder_counts(world) == before
    waiting = [r["pres_ex_id"] for r in present.requests(world.holder)]
    assert waiting == [record["pres_ex_id"]]


def test_an_issue_message_replayed_past_the_inbox_stores_no_second_credential(
    inbox_world_running,
):
    world = inbox_world_running
    client, person = world.inbox.client, world.person_id
    name = scenario.IDENTITY
    values = scenario.load_person()[name]
    client.hold(person)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        issued = pool.submit(
            issue.issue,
            world.issuer,
            world.holder,
            world.issuer_conn,
            world.cred_defs[name],
            world.schemas[name],
            values,
        )
        # offer, then (after the holder's request) the credential: capture the latter
        wait_until(lambda: client.pending_count(person) == 1, "the offer in the inbox")
        client.deliver_now(person)
        wait_until(lambda: client.pending_count(person) == 1, "the credential in the inbox")
        issue_body = queued_bodies(world)[0]
        client.deliver_now(person)
        issued.result(timeout=60)
    before = holder_counts(world)
    assert before[0] == 1

    # The captured issue-credential envelope, re-serialised so its bytes differ, posted
    # straight to the holder's port and through the inbox: the agent refuses it by its id.
    for copy in (issue_body, reserialised(issue_body)):
        answer = to_holder(world, copy)
        assert answer.status_code == 200
        assert answer.headers["X-Tessera-Outcome"] == "duplicate"
        assert to_inbox(world, copy).status_code == 202
    assert client.pending_count(person) == 0
    assert holder_counts(world) == before
    record = world.holder.admin.get("/issue-credential-2.0/records")["results"][0]
    assert record["cred_ex_record"]["state"] == "done"

    # An envelope the agent cannot unpack, and a plaintext message, never reach a handler.
    for body in (envelope(), b'{"@type": "https://didcomm.org/trust_ping/1.0/ping"}'):
        answer = to_holder(world, body)
        assert answer.status_code == 400
    # ... nor a body nested 100,000 deep (ACA-Py's own transport answered 500).
    deep = b"[" * 100_000 + b"]" * 100_000
    assert to_holder(world, deep).status_code == 400
    assert holder_counts(world) == before
