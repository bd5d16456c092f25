"""Problem reports about our terms messages: read safely, matched to what we sent, kept once.

The listener runs against a real (in-memory) ACA-Py profile, with the reports shaped as
Credo (`pthid` = our message id) and stock ACA-Py (`thid` = our thread) send them.
"""

import asyncio

import pytest
from acapy_agent.core.event_bus import Event
from acapy_agent.utils.testing import create_test_profile

from wallet.terms.v1_0 import problems, records

NOT_SUPPORTED = {"code": "message-parse-failure", "en": "The message type is not supported"}


def run(coroutine):
    """Run a coroutine on a loop of our own (importing ACA-Py patches asyncio)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def report(thread, description=NOT_SUPPORTED, message_id="pr-1"):
    return {
        "@type": "https://didcomm.org/notification/1.0/problem-report",
        "@id": message_id,
        "~thread": thread,
        "description": description,
    }


@pytest.mark.parametrize(
    ("payload", "ids"),
    [
        (report({"pthid": "m1"}), ["m1"]),
        (report({"thid": "t1"}), ["t1"]),
        (report({"pthid": "m1", "thid": "t1"}), ["m1", "t1"]),
        (report({"pthid": "same", "thid": "same"}), ["same"]),
        (report({"thid": 7}), []),
        (report({"thid": ""}), []),
        (report({"thid": "x" * 500}), []),
        (report("not a thread"), []),
        ({"description": NOT_SUPPORTED}, []),
        ([], []),
    ],
)
def test_only_well_formed_thread_ids_are_read(payload, ids):
    assert problems.referred_ids(payload) == ids


SENT = {"message_id": "m1", "kind": "offer"}


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (NOT_SUPPORTED, {"code": "message-parse-failure", "not_supported": True}),
        ({"code": "busy", "en": "try later"}, {"code": "busy", "explain": "try later"}),
        ({"code": ["x"], "en": {"a": 1}}, {"code": "", "explain": "", "not_supported": False}),
        ({"en": "é" * 1000}, {"explain": "é" * problems.MAX_TEXT}),
        ("text", {"code": "", "explain": ""}),
    ],
)
def test_a_report_is_summed_up_in_checked_short_text(description, expected):
    body = problems.summary(report({"pthid": "m1"}, description), SENT)
    assert body["refers_to"] == "m1" and body["refused_kind"] == "offer"
    assert {k: body[k] for k in expected} == expected


def sent(message_id, thread_id, kind="offer", connection_id="conn-1"):
    return records.new_record(
        kind=kind,
        direction="sent",
        connection_id=connection_id,
        thread_id=thread_id,
        message_id=message_id,
        body={"revision": 0},
    )


async def deliver(stored, reports):
    """Store `stored` sent records, deliver `reports`; return (kept records, notifications)."""
    profile = await create_test_profile()
    notified = []

    async def notify(topic, payload):
        notified.append((topic, payload))

    profile.notify = notify
    try:
        async with profile.session() as session:
            for record in stored:
                await records.save(session, record)
        for payload in reports:
            await problems.on_problem_report(profile, Event("acapy::problem_report", payload))
        async with profile.session() as session:
            kept = await records.find(session, kind=problems.KIND)
        return kept, notified
    finally:
        await profile.close()


OFFER = sent("m1", "m1")
RESPONSE_IN_THREAD = sent("m2", "t9", kind="response", connection_id="conn-2")


@pytest.mark.parametrize(
    ("stored", "reports", "refers_to"),
    [
        ([OFFER], [report({"pthid": "m1"})], ["m1"]),  # Credo: parent thread = our message
        ([OFFER], [report({"thid": "m1"})], ["m1"]),  # ACA-Py: thread = our thread
        ([RESPONSE_IN_THREAD], [report({"thid": "t9"})], ["m2"]),  # a reply in their thread
        ([OFFER], [report({"pthid": "m1"}), report({"thid": "m1"}, message_id="pr-2")], ["m1"]),
        ([OFFER], [report({"pthid": "unknown"})], []),  # about nothing we sent
        ([OFFER], [report({})], []),
        ([], [report({"pthid": "m1"})], []),
    ],
)
def test_a_report_is_kept_once_on_the_connection_of_the_message_it_refers_to(
    stored, reports, refers_to
):
    kept, notified = run(deliver(stored, reports))
    assert [k["body"]["refers_to"] for k in kept] == refers_to
    by_id = {r["message_id"]: r for r in stored}
    for record in kept:
        refused = by_id[record["body"]["refers_to"]]
        assert record["connection_id"] == refused["connection_id"]
        assert record["thread_id"] == refused["thread_id"]
        assert record["direction"] == "received" and record["status"] == "accepted"
    assert [topic for topic, _ in notified] == ["acapy::webhook::tessera_terms"] * len(kept)
