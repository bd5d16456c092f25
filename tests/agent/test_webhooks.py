"""The webhook hub: authenticated posts wake waiters; waits end at their deadline."""

import threading

import httpx
import pytest

from wallet.agent.waiting import wait_for
from wallet.agent.webhooks import WebhookHub
from wallet.errors import WaitTimeout


@pytest.fixture
def hub():
    hub = WebhookHub().start()
    yield hub
    hub.stop()


def post(hub, role, topic, payload, key=None):
    url = f"http://127.0.0.1:{hub.port}/webhooks/{role}/topic/{topic}/"
    return httpx.post(url, json=payload, headers={"x-api-key": key or hub.api_key})


def test_url_carries_the_key_after_a_hash(hub):
    assert hub.url_for("holder") == f"http://127.0.0.1:{hub.port}/webhooks/holder#{hub.api_key}"


@pytest.mark.parametrize(
    ("path", "key", "status"),
    [
        ("/webhooks/holder/topic/connections/", "wrong", 401),
        ("/elsewhere", None, 404),
        ("/webhooks/holder/connections/", None, 404),
    ],
)
def test_bad_posts_are_refused_and_not_recorded(hub, path, key, status):
    answer = httpx.post(
        f"http://127.0.0.1:{hub.port}{path}", json={}, headers={"x-api-key": key or hub.api_key}
    )
    assert answer.status_code == status
    assert hub.events_since(0) == []


def test_events_are_recorded_by_role_and_topic(hub):
    assert post(hub, "holder", "connections", {"state": "active"}).status_code == 200
    post(hub, "issuer", "issue_credential_v2_0", {"state": "done"})
    assert [e.payload for e in hub.events_since(0, role="holder")] == [{"state": "active"}]
    assert [e.role for e in hub.events_since(0, topics=("issue_credential_v2_0",))] == ["issuer"]


def test_wait_for_is_woken_by_an_event():
    hub = WebhookHub()  # not serving: events are published directly
    state = {"value": "pending"}

    def flip():
        state["value"] = "done"
        hub.publish("holder", "present_proof_v2_0", {})

    timer = threading.Timer(0.05, flip)
    timer.start()
    result = wait_for(
        lambda: state["value"],
        lambda v: v == "done",
        what="the flip",
        timeout=10,
        hub=hub,
        role="holder",
        topics=("present_proof_v2_0",),
    )
    timer.join()
    assert result == "done"


def test_wait_for_times_out_naming_what_it_awaited():
    ticks = iter(range(100))
    with pytest.raises(WaitTimeout, match="the unicorn"):
        wait_for(lambda: None, bool, what="the unicorn", timeout=3, clock=lambda: next(ticks))


def test_done_may_stop_the_wait_early_by_raising():
    def done(value):
        raise RuntimeError("abandoned")

    with pytest.raises(RuntimeError, match="abandoned"):
        wait_for(lambda: 1, done, what="x", timeout=10)


def test_a_waiter_wakes_for_its_own_record_only():
    hub = WebhookHub()
    state = {"value": "pending", "fetches": 0}
    others_published = threading.Event()
    first_look = threading.Event()

    def fetch():
        state["fetches"] += 1
        first_look.set()
        return state["value"]

    def traffic():
        first_look.wait(10)
        for _ in range(20):  # other exchanges' events: must not wake the waiter
            hub.publish("verifier", "present_proof_v2_0", {"pres_ex_id": "other"})
        others_published.set()
        state["value"] = "done"
        hub.publish("verifier", "present_proof_v2_0", {"pres_ex_id": "mine"})

    timer = threading.Thread(target=traffic)
    timer.start()
    wait_for(
        fetch,
        lambda v: v == "done",
        what="my record",
        timeout=10,
        hub=hub,
        role="verifier",
        topics=("present_proof_v2_0",),
        match=lambda payload: payload.get("pres_ex_id") == "mine",
    )
    timer.join()
    assert others_published.is_set()
    assert state["fetches"] == 2  # the first look, and one after its own event
    assert [e.payload for e in hub.events_since(0, match=lambda p: p["pres_ex_id"] == "mine")] == [
        {"pres_ex_id": "mine"}
    ]
