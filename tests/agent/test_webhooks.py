"""The webhook hub: authenticated posts wake waiters; waits end at their deadline."""

import threading

import httpx
import pytest
from inbox.hostile import exchange, request

from wallet.agent import webhooks
from wallet.agent.waiting import wait_for
from wallet.agent.webhooks import PayloadIs, WebhookHub
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


def _no_fetch():
    raise AssertionError("the event carried the value: no fetch expected")


def test_a_value_carried_by_an_event_needs_no_fetch():
    hub = WebhookHub()
    threading.Timer(0.05, hub.publish, ("verifier", "t", {"id": "mine", "state": "done"})).start()
    value = wait_for(
        _no_fetch,
        lambda v: v["state"] == "done",
        what="x",
        timeout=10,
        hub=hub,
        topics=("t",),
        match=lambda p: p["id"] == "mine",
        from_event=lambda p: p,
    )
    assert value == {"id": "mine", "state": "done"}


def test_an_event_that_came_before_the_wait_counts():
    hub = WebhookHub()
    hub.publish("verifier", "t", {"id": "mine", "state": "done"})
    hub.publish("verifier", "t", {"id": "other", "state": "pending"})
    value = wait_for(
        _no_fetch,
        lambda v: v["state"] == "done",
        what="x",
        timeout=1,
        hub=hub,
        match=lambda p: p["id"] == "mine",
        from_event=lambda p: p,
    )
    assert value["id"] == "mine"


@pytest.mark.parametrize(
    ("payload", "fetches"),
    [
        ({"id": "mine", "state": "done"}, 0),  # whole: read from the event
        ({"id": "mine"}, 1),  # partial (no by_format, say): fetched instead
    ],
)
def test_a_partial_payload_is_fetched_for_real(payload, fetches):
    hub = WebhookHub()
    count = []

    def fetch():
        count.append(1)
        return {"id": "mine", "state": "done"}

    hub.publish("holder", "t", payload)
    wait_for(
        fetch,
        lambda v: v["state"] == "done",
        what="x",
        timeout=5,
        hub=hub,
        from_event=lambda p: p if "state" in p else None,
    )
    assert len(count) == fetches


def test_without_events_the_waiter_fetches_after_the_recheck(monkeypatch, caplog):
    monkeypatch.setattr("wallet.agent.waiting.EVENT_RECHECK", 0.05)
    hub = WebhookHub()  # a lost webhook: nothing is ever published
    value = wait_for(
        lambda: "done",
        lambda v: v == "done",
        what="the lost one",
        timeout=5,
        hub=hub,
        from_event=lambda p: p,
    )
    assert value == "done"
    assert "No webhook told of the lost one" in caplog.text


def test_a_failing_state_in_an_event_stops_the_wait():
    hub = WebhookHub()
    hub.publish("holder", "t", {"state": "abandoned"})

    def done(value):
        if value["state"] == "abandoned":
            raise RuntimeError("abandoned")
        return False

    with pytest.raises(RuntimeError, match="abandoned"):
        wait_for(_no_fetch, done, what="x", timeout=5, hub=hub, from_event=lambda p: p)


DEEP = 100_000
HOOK = "/webhooks/holder/topic/connections/"


def hook_request(hub, body=b"{}", key=None, method="POST", path=HOOK, headers=None):
    return request(method, path, body, {"x-api-key": key or hub.api_key, **(headers or {})})


def with_length(hub, length, body=b"{}"):
    data = request("POST", HOOK, body, {"x-api-key": hub.api_key}, content_length=False)
    return data.replace(
        b"Connection: close", f"Content-Length: {length}\r\nConnection: close".encode()
    )


@pytest.mark.parametrize(
    ("name", "build", "status"),
    [
        (
            "non-ASCII key",
            lambda h: hook_request(h, key="clé-ключ".encode().decode("latin-1")),
            401,
        ),
        ("empty key", lambda h: hook_request(h, key=" "), 401),
        ("body nested 100,000 deep", lambda h: hook_request(h, b"[" * DEEP + b"]" * DEEP), 400),
        (
            "object nested 100,000 deep",
            lambda h: hook_request(h, b'{"a":' * DEEP + b"1" + b"}" * DEEP),
            400,
        ),
        ("not JSON", lambda h: hook_request(h, b"{not json"), 400),
        ("a JSON array", lambda h: hook_request(h, b"[1, 2]"), 400),
        ("invalid UTF-8", lambda h: hook_request(h, b'{"a": "\xff"}'), 400),
        ("5 MiB body", lambda h: hook_request(h, b" " * (5 * 1024 * 1024)), 413),
        ("Content-Length -1", lambda h: with_length(h, "-1"), 400),
        ("Content-Length abc", lambda h: with_length(h, "abc"), 400),
        ("PUT", lambda h: hook_request(h, method="PUT"), 405),
        ("GET", lambda h: hook_request(h, method="GET"), 405),
        ("DELETE", lambda h: hook_request(h, method="DELETE"), 405),
        ("elsewhere", lambda h: hook_request(h, path="/admin"), 404),
    ],
)
def test_hostile_webhook_posts_get_a_clean_refusal_and_record_nothing(hub, name, build, status):
    outcome = exchange(hub.port, build(hub), wait=20)
    assert outcome.status == status, (name, outcome.body[:200])
    assert hub.events_since(0) == []


def test_a_body_shorter_than_announced_is_answered_408_within_seconds(hub):
    outcome = exchange(hub.port, with_length(hub, "1000"), wait=20)
    assert outcome.status == 408
    assert hub.events_since(0) == []


@pytest.mark.parametrize("waiters", [1, 8])
def test_each_event_is_looked_at_once_per_waiter_not_once_per_wake(waiters):
    hub = WebhookHub()
    looked, waiting = [], threading.Barrier(waiters + 1)

    def wait_mine(name):
        def match(payload):
            looked.append(name)
            return payload["id"] == name

        waiting.wait()
        return wait_for(
            _no_fetch,
            lambda v: v["state"] == "done",
            what=name,
            timeout=10,
            hub=hub,
            match=match,
            from_event=lambda p: p,
        )

    threads = [threading.Thread(target=wait_mine, args=(f"w{i}",)) for i in range(waiters)]
    for thread in threads:
        thread.start()
    waiting.wait()
    while len(hub._waiters) < waiters:  # every waiter asleep in wait_after
        threading.Event().wait(0.01)
    others = 20
    for _ in range(others):  # other exchanges' events, as webhooks come: one by one
        hub.publish("verifier", "t", {"id": "other", "state": "pending"})
        threading.Event().wait(0.002)
    for i in range(waiters):
        hub.publish("verifier", "t", {"id": f"w{i}", "state": "done"})
    for thread in threads:
        thread.join(10)
    # each event is matched at most twice per waiter: when published, and in the waiter's
    # one look after waking. A condition shared by all woke every waiter on every event
    # to scan again (1 waiter: 253 looks here, 42 now; 8 waiters: 2,164, 448 now)
    assert len(looked) <= 2 * (others + waiters) * waiters


def test_a_match_that_fails_stops_its_own_wait_and_nobody_elses():
    hub = WebhookHub()
    failures = []

    def wait_broken():
        try:
            wait_for(
                _no_fetch,
                lambda v: True,
                what="broken",
                timeout=10,
                hub=hub,
                match=lambda p: p["missing"],
                from_event=lambda p: p,
            )
        except KeyError as exc:
            failures.append(exc)

    thread = threading.Thread(target=wait_broken)
    thread.start()
    while not hub._waiters:
        threading.Event().wait(0.01)
    hub.publish("verifier", "t", {"id": "x"})  # the publisher does not raise
    thread.join(10)
    assert not thread.is_alive()
    assert len(failures) == 1


EVENTS = [
    ("holder", "t", {"thread_id": "a", "state": "one"}),
    ("issuer", "t", {"thread_id": "a", "cred_ex_id": "x"}),
    ("holder", "u", {"thread_id": "b"}),
    ("holder", "t", {"thread_id": 7}),  # not a string: never indexed, still scanned for
    ("holder", "t", {"state": "no id"}),
    ("holder", "t", {"thread_id": "a", "state": "two"}),
]


@pytest.mark.parametrize(
    ("field", "value", "role", "topics", "since"),
    [
        ("thread_id", "a", None, None, 0),
        ("thread_id", "a", "holder", ("t",), 0),
        ("thread_id", "a", None, None, 2),
        ("cred_ex_id", "x", None, None, 0),
        ("thread_id", "b", "issuer", None, 0),
        ("thread_id", "nobody", None, None, 0),
        ("thread_id", 7, None, None, 0),
        ("thread_id", None, None, None, 0),
        ("state", "two", None, None, 0),  # a field not indexed: scanned
    ],
)
def test_a_wait_for_one_record_finds_what_a_scan_finds(field, value, role, topics, since):
    hub = WebhookHub()
    for event in EVENTS:
        hub.publish(*event)
    scanned = hub.events_since(
        since, role=role, topics=topics, match=lambda p: p.get(field) == value
    )
    indexed = hub.events_since(since, role=role, topics=topics, match=PayloadIs(field, value))
    assert indexed == scanned
    assert hub._has_after(since, role, topics, PayloadIs(field, value)) is bool(scanned)


def test_a_wait_for_one_record_looks_only_at_its_events(monkeypatch):
    hub = WebhookHub()
    for i in range(500):
        hub.publish("issuer", "t", {"thread_id": f"other-{i}", "state": "offer-sent"})
    hub.publish("holder", "t", {"thread_id": "mine", "state": "offer-received"})
    looked = []
    real = webhooks._wanted
    monkeypatch.setattr(webhooks, "_wanted", lambda e, *a: looked.append(e) or real(e, *a))
    found = hub.events_since(0, role="holder", match=PayloadIs("thread_id", "mine"))
    assert [e.payload["state"] for e in found] == ["offer-received"]
    assert len(looked) == 1  # a scan looked at all 501


def test_events_leaving_the_history_leave_the_index(monkeypatch):
    monkeypatch.setattr(webhooks, "HISTORY", 5)
    hub = WebhookHub()
    for i in range(12):
        event = hub.publish("holder", "t", {"thread_id": f"t{i % 3}", "n": i})
        event.payload["thread_id"] = "changed by a consumer"  # the index keeps what came
    held = {key: [e.payload["n"] for e in events] for key, events in hub._indexed.items()}
    assert held == {
        ("thread_id", "t1"): [7, 10],
        ("thread_id", "t2"): [8, 11],
        ("thread_id", "t0"): [9],
    }
    assert [e.payload["n"] for e in hub.events_since(0, match=PayloadIs("thread_id", "t1"))] == []
    assert [e.seq for e in hub._indexed[("thread_id", "t1")]] == [8, 11]
