"""kill -9 of each agent at each step of issuing and presenting, and the inbox kept down.

The wallet's agent is killed after offer-sent, request-sent, credential-issued and at
the presentation; the wallet is back by itself (no unlock, no passphrase typed again).
The verifier is killed mid-verify and the issuer at request-received, the moment their
webhooks say so; they count a person's message as delivered only once its handler ran
(`wallet.inbound`), so the person's agent sends it again (`wallet.outbox`). The inbox is
kept down 20 s and 120 s while the firms send. After each, both sides' records are
checked: the exchange ends where it should, once.
"""

import datetime
import os
import signal
import threading
import time

import pytest

from wallet import scenario
from wallet.errors import AgentRestarting
from wallet.flows import held, issue, present

from .conftest import FIGURES, READY_S, crash_world, kill_holder, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with crash_world(tmp_path_factory.mktemp("crash") / "world") as world:
        yield world
    print(f"\ncrash suite: {FIGURES}; seconds to ready: {READY_S}")


def kill_on_webhook(world, role, topic, state, thread_id):
    """SIGKILL `role`'s agent from the hub's thread when its webhook says `state` for
    `thread_id` (its handler is still running); return an Event set once killed."""
    killed = threading.Event()
    proc = world.procs[role]

    def listener(event):
        payload = event.payload
        if (
            event.role == role
            and event.topic == topic
            and payload.get("state") == state
            and payload.get("thread_id") == thread_id
            and not killed.is_set()
        ):
            os.kill(proc.pid, signal.SIGKILL)
            killed.set()

    world.issuer.hub.add_listener(listener)
    killed.listener = listener
    return killed


def restart_after_kill(world, role, killed, what):
    """Wait for the kill, start `role`'s agent again; record the time it took."""
    try:
        assert killed.wait(60), f"{role} never reached {what}"
    finally:
        world.issuer.hub.remove_listener(killed.listener)
    began = time.monotonic()
    proc = world.procs[role]
    proc.reap()
    proc.start()
    READY_S.setdefault(f"{role} agent", []).append(round(time.monotonic() - began, 1))


def holder_records(world, thread_id):
    found = world.holder.admin.get("/issue-credential-2.0/records", thread_id=thread_id)
    return [r["cred_ex_record"] for r in found["results"]]


def issuer_state(world, cred_ex_id):
    record = world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}")
    return record["cred_ex_record"]["state"]


def offer(world):
    values = scenario.load_person()[scenario.IDENTITY]
    return issue._offer(
        world.issuer,
        world.issuer_conn,
        world.cred_defs[scenario.IDENTITY],
        world.schemas[scenario.IDENTITY],
        values,
    )


def stored(world, thread_id):
    records = holder_records(world, thread_id)
    return [r for r in records if r.get("state") == "done"] and records


def nationality_request(world):
    identity = [{"cred_def_id": world.cred_defs[scenario.IDENTITY]}]
    return {
        "name": "Nationality",
        "version": "1.0",
        "requested_attributes": {"nat": {"name": "nationality", "restrictions": identity}},
        "requested_predicates": {},
    }


def check_issued(world, offered, before):
    """Both sides: the issuer done, one holder record done, one more credential held."""
    thread_id = offered["thread_id"]
    records = wait_until(lambda: stored(world, thread_id), f"credential of {thread_id} stored")
    wait_until(
        lambda: issuer_state(world, offered["cred_ex_id"]) in ("done", "credential-issued"),
        "the issuer's record to end",
    )
    count = len(held.credentials(world.holder))
    FIGURES["duplicated"] += (len(records) - 1) + max(0, count - before - 1)
    FIGURES["lost"] += count < before + 1
    assert len(records) == 1 and count == before + 1
    FIGURES["completed"] += 1


@pytest.mark.parametrize(
    "moment",
    # request-sent last: its credential, when it comes late, must not count in another's
    [
        "offer-sent",
        "credential-issued",  # stored twice until wallet.inbound.stored_once
        "request-sent",  # the request lost in ACA-Py's queue until wallet.outbox
    ],
)
def test_holder_killed_during_issuance_is_restarted_and_nothing_is_lost(world, moment):
    FIGURES["attempted"] += 1
    before = len(held.credentials(world.holder))
    offered = offer(world)
    if moment == "offer-sent":
        kill_holder(world)  # the offer may be in flight, in the inbox or in the agent
        theirs = issue.wait_offer(world.holder, offered["thread_id"], timeout=90)
        issue.accept_offer(world.holder, theirs, timeout=90)
    else:
        theirs = issue.wait_offer(world.holder, offered["thread_id"], timeout=60)
        world.holder.admin.post(f"/issue-credential-2.0/records/{theirs}/send-request", {})
        if moment == "credential-issued":
            wait_until(
                lambda: issuer_state(world, offered["cred_ex_id"]) in ("credential-issued", "done"),
                "the issuer to issue",
            )
        kill_holder(world)
    check_issued(world, offered, before)


def test_calls_while_the_agent_restarts_say_restarting_not_agent_error(world):
    runner = world.service.session.runner
    os.kill(runner._proc.pid, signal.SIGKILL)
    problem = wait_until(world.service.session.agent_problem, "the wallet to notice", timeout=10)
    assert isinstance(problem, AgentRestarting) and problem.retry_after >= 1
    with pytest.raises(AgentRestarting):
        world.service.require()
    wait_until(lambda: world.service.session.agent_problem() is None, "the agent back")
    assert world.service.require().admin.ready()
    assert runner.supervisor.restarts >= 1


def test_holder_killed_at_presentation_the_verifier_verifies_once(world):
    FIGURES["attempted"] += 1
    scenario.issue_person(world, scenario.load_person())  # the income credential too
    today = datetime.date.today()
    request = scenario.age_income_request(world.cred_defs, today)
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    record = present.wait_request(world.holder, thread_id, timeout=60)
    present.present(world.holder, record, timeout=60)
    kill_holder(world)  # the verifier receives (or has received) the presentation
    verified = present.wait_verified(world.verifier, pres_ex_id, timeout=90)
    assert verified.verified
    theirs = present.records(world.holder, thread_id=thread_id)
    assert len(theirs) == 1
    FIGURES["completed"] += 1


def test_verifier_killed_mid_verify_verifies_once_when_back(world):
    """Killed as its record says presentation-received, while it verifies: the message
    was not answered, so the person's agent sends it again and the verifier checks it."""
    FIGURES["attempted"] += 1
    if not held.credentials(world.holder):  # run alone: the person needs their ID first
        scenario.issue_person(world, scenario.load_person())
    request = nationality_request(world)
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    record = present.wait_request(world.holder, thread_id, timeout=60)
    killed = kill_on_webhook(
        world, "verifier", "present_proof_v2_0", "presentation-received", thread_id
    )
    present.present(world.holder, record, timeout=60)
    restart_after_kill(world, "verifier", killed, "presentation-received")
    verified = present.wait_verified(world.verifier, pres_ex_id, timeout=120)
    assert verified.verified
    theirs = present.records(world.verifier, thread_id=thread_id)
    FIGURES["duplicated"] += max(0, len(theirs) - 1)
    assert len(theirs) == 1 and len(present.records(world.holder, thread_id=thread_id)) == 1
    FIGURES["completed"] += 1


def test_issuer_killed_at_request_received_issues_once_when_back(world):
    """Killed as its record says request-received, before it issues: the person's agent
    sends the request again and the credential arrives, stored once."""
    FIGURES["attempted"] += 1
    before = len(held.credentials(world.holder))
    offered = offer(world)
    theirs = issue.wait_offer(world.holder, offered["thread_id"], timeout=60)
    killed = kill_on_webhook(
        world, "issuer", "issue_credential_v2_0", "request-received", offered["thread_id"]
    )
    world.holder.admin.post(f"/issue-credential-2.0/records/{theirs}/send-request", {})
    restart_after_kill(world, "issuer", killed, "request-received")
    check_issued(world, offered, before)


def test_a_presentation_to_a_verifier_that_is_down_survives_a_holder_kill(world):
    """wallet.outbox: the verifier is down, so the presentation waits in the holder's
    queue; the holder is killed with it there. Without a kept copy it is lost (both
    records say presentation-sent, forever); kept, it goes once the verifier is back."""
    FIGURES["attempted"] += 1
    verifier = world.procs["verifier"]
    if not held.credentials(world.holder):  # run alone: the person needs their ID first
        scenario.issue_person(world, scenario.load_person())
    request = nationality_request(world)
    pres_ex_id, thread_id = present.request_proof(world.verifier, world.verifier_conn, request)
    record = present.wait_request(world.holder, thread_id, timeout=60)
    verifier.terminate()  # down, its exchange kept in its storage; restarted below
    verifier.reap()
    try:
        present.present(world.holder, record, timeout=60)
        kill_holder(world)
    finally:
        verifier.start()
    verified = present.wait_verified(world.verifier, pres_ex_id, timeout=120)
    assert verified.verified
    assert len(present.records(world.holder, thread_id=thread_id)) == 1
    FIGURES["completed"] += 1


@pytest.mark.parametrize("outage_s", [20, 120])
def test_what_firms_send_while_the_inbox_is_down_arrives_once_it_is_back(world, outage_s):
    """Two offers and two requests sent into an inbox down `outage_s` seconds: each
    reaches the person once the inbox is back (ACA-Py's queue gives up on its own; the
    firms' outboxes send again), and each ends issued or verified, once."""
    if not held.credentials(world.holder):  # run alone: the person needs their ID first
        scenario.issue_person(world, scenario.load_person())
    FIGURES["attempted"] += 4
    world.inbox.stop()
    began = time.monotonic()
    try:
        offers = [offer(world) for _ in range(2)]
        asked = [
            present.request_proof(world.verifier, world.verifier_conn, nationality_request(world))
            for _ in range(2)
        ]
        time.sleep(max(0.0, outage_s - (time.monotonic() - began)))  # the outage itself
    finally:
        world.inbox.start()
    for offered in offers:
        before = len(held.credentials(world.holder))
        theirs = issue.wait_offer(world.holder, offered["thread_id"], timeout=90)
        issue.accept_offer(world.holder, theirs, timeout=90)
        check_issued(world, offered, before)
    for pres_ex_id, thread_id in asked:
        record = present.wait_request(world.holder, thread_id, timeout=90)
        present.present(world.holder, record, timeout=60)
        assert present.wait_verified(world.verifier, pres_ex_id, timeout=90).verified
        assert len(present.records(world.holder, thread_id=thread_id)) == 1
        FIGURES["completed"] += 1
    READY_S.setdefault("inbox outage to all delivered", []).append(
        round(time.monotonic() - began - outage_s, 1)
    )


def test_an_offer_to_an_inbox_that_is_down_survives_an_issuer_kill(world):
    """wallet.outbox on a firm: the person's inbox is down, so the offer waits in the
    issuer's queue; the issuer is killed with it there. Without a kept copy the offer is
    lost (the issuer's record says offer-sent, forever); kept, it arrives once both are
    back, once. Last in the module: it leaves an offer waiting."""
    FIGURES["attempted"] += 1
    issuer = world.procs["issuer"]
    world.inbox.stop()
    try:
        offered = offer(world)
        os.kill(issuer.pid, signal.SIGKILL)
        issuer.reap()
    finally:
        world.inbox.start()
    issuer.start()
    theirs = issue.wait_offer(world.holder, offered["thread_id"], timeout=90)
    assert [r["state"] for r in holder_records(world, offered["thread_id"])] == ["offer-received"]
    assert theirs
    FIGURES["completed"] += 1
