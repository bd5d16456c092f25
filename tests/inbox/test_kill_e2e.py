"""Delivery ends in the agent: a holder killed with SIGKILL around a message loses nothing.

The holder is killed at three moments of a delivery from the inbox, for an offer and for
an issued credential, then started again; the inbox redelivers what the agent did not
confirm as processed and the agent refuses what it had processed:

- `before`: the agent has the message (its replay guard has noted it) but its handler
  has not run. Made deterministic by the plugin's test-only hold before the handler;
  the test kills once the agent logs that it holds the message.
- `after-200`: the inbox got the agent's answer and forgot the envelope (with stock
  ACA-Py this is the moment an offer or a credential was lost).
- `after`: the handler ran (records stored) but the agent died before marking the
  message done and answering. Redelivered, the message is handled again: an offer finds
  its record by thread; a credential finds itself already stored under the id derived
  from its exchange and is not stored again (`wallet/inbound/stored_once.py`; before
  it, a second copy stood until the unlock path's `remove_duplicates`).
"""

import functools

import pytest
from speedups.peers import disclosed_features

from wallet import scenario
from wallet.agent.deployment import Deployment
from wallet.flows import held, issue
from wallet.inbox import replay

from .conftest import holder_options, inbox_world
from .polling import wait_until as wait_briefly

pytestmark = pytest.mark.e2e
wait_until = functools.partial(wait_briefly, timeout=60.0, interval=0.1)  # agents restart
FIGURES = {"attempted": 0, "completed": 0, "lost": 0, "duplicated": 0, "transient copies": 0}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill")
    with inbox_world(root / "world") as world:
        scenario.seed_issuer(world)
        scenario.connect_holder(world)
        disclosed_features(world.verifier, world.verifier_conn)  # the handshake settled
        world.holding = {
            window: Deployment(
                world.settings,
                config_dir=holder_options(root / window, **{f"test_hold_{window}_handler_s": 120}),
            )
            for window in ("before", "after")
        }
        yield world
    print(f"\nholder kill -9 during delivery: {FIGURES}")


def holder_records(world, thread_id):
    return world.holder.admin.get("/issue-credential-2.0/records", thread_id=thread_id)["results"]


def issuer_state(world, cred_ex_id):
    record = world.issuer.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}")
    return record["cred_ex_record"]["state"]


def kill_during_delivery(world, window, send, message_type):
    """Run `send()` so that a message reaches the holder, kill the holder at `window`,
    start it again (as the wallet does on unlock) and let the inbox redeliver."""
    holder, client, person = world.holder_agent, world.inbox.client, world.person_id
    # The previous step's messages may still be in the inbox: the holder's webhook can
    # come before its plugin confirms the message processed. Restarting the holder now
    # would have the inbox redeliver that message first, into this window's hold.
    wait_until(lambda: client.pending_count(person) == 0, "earlier messages to be processed")
    if window == "after-200":
        client.hold(person)
        send()
        wait_until(lambda: client.pending_count(person) == 1, "the message in the inbox")
        assert client.deliver_now(person)["delivered"] == 1  # the agent answered
        holder.kill()
    else:
        holder.stop()
        holder.start(world.holding[window])
        mark = holder.log_path.stat().st_size
        send()
        line = f"{message_type}".encode()
        wait_until(
            lambda: any(
                line in ln and f"{window} its handler (test)".encode() in ln
                for ln in holder.log_path.read_bytes()[mark:].splitlines()
            ),
            f"the holder to hold the {message_type} {window} its handler",
        )
        holder.kill()
        assert client.pending_count(person) == 1  # not confirmed: kept
    holder.start()  # registers its keys: the inbox delivers what waits
    wait_until(lambda: client.pending_count(person) == 0, "the inbox to redeliver")


@pytest.mark.parametrize("window", ["before", "after-200", "after"])
def test_an_offer_survives_a_holder_killed_during_its_delivery(world, window):
    FIGURES["attempted"] += 1
    name = scenario.IDENTITY
    offered = {}

    def send():
        offered.update(
            issue._offer(
                world.issuer,
                world.issuer_conn,
                world.cred_defs[name],
                world.schemas[name],
                scenario.load_person()[name],
            )
        )

    kill_during_delivery(world, window, send, "offer-credential")
    thread = offered["thread_id"]
    issue.wait_offer(world.holder, thread)
    records = holder_records(world, thread)
    states = [r["cred_ex_record"]["state"] for r in records]
    FIGURES["lost"] += not records
    FIGURES["duplicated"] += len(records) > 1
    assert states == ["offer-received"]
    assert issuer_state(world, offered["cred_ex_id"]) == "offer-sent"
    FIGURES["completed"] += 1


@pytest.mark.parametrize("window", ["before", "after-200", "after"])
def test_a_credential_survives_a_holder_killed_during_its_delivery(world, window):
    FIGURES["attempted"] += 1
    name = scenario.IDENTITY
    before = len(held.credentials(world.holder))
    offered = issue._offer(
        world.issuer,
        world.issuer_conn,
        world.cred_defs[name],
        world.schemas[name],
        scenario.load_person()[name],
    )
    theirs = issue.wait_offer(world.holder, offered["thread_id"])

    def send():  # the person accepts; the issuer answers with the credential
        world.holder.admin.post(f"/issue-credential-2.0/records/{theirs}/send-request", {})

    kill_during_delivery(world, window, send, "issue-credential/2.0/issue-credential")
    wait_until(
        lambda: [r for r in holder_records(world, offered["thread_id"]) if r["anoncreds"]],
        "the credential to be stored",
    )
    wait_until(lambda: issuer_state(world, offered["cred_ex_id"]) == "done", "the issuer's ack")
    copies = len(held.credentials(world.holder)) - before
    FIGURES["transient copies"] += copies - 1
    replay.remove_duplicates(world.holder)  # what the wallet runs on unlock
    stored = len(held.credentials(world.holder)) - before
    records = holder_records(world, offered["thread_id"])
    FIGURES["lost"] += stored == 0
    FIGURES["duplicated"] += stored > 1 or len(records) > 1
    assert stored == 1
    assert [r["cred_ex_record"]["state"] for r in records] == ["done"]
    assert copies == 1  # never a transient second copy
    FIGURES["completed"] += 1
