"""End to end: a firm declines the person's smaller answer, and the wallet says why (#19.5)."""

import datetime

import pytest

from wallet import scenario
from wallet.flows import present
from wallet.holder import proposals, records
from wallet.holder.waiting import Waiting

pytestmark = pytest.mark.e2e


def test_a_declined_smaller_answer_shows_the_firm_s_words(seeded_world):
    world = seeded_world
    smaller = scenario.age_income_request(world.cred_defs, datetime.date.today())
    smaller["name"] = "Loan (smaller answer)"
    conn = world.holder_conns["verifier"]
    mine = present.propose(world.holder, conn, smaller, "A smaller answer")
    theirs = world.verifier.wait(
        lambda: [
            r
            for r in present.records(world.verifier, role="verifier", state="proposal-received")
            if r.thread_id == mine.thread_id
        ],
        bool,
        what="the proposal to arrive",
    )[0]
    labels = records.connection_labels(world.holder)
    now = datetime.datetime.now(datetime.UTC)
    book = Waiting(lambda: now)  # listed at the first read, then read by id
    waiting = [
        p
        for p in proposals.recent(world.holder, labels, now, book)
        if p.pres_ex_id == mine.pres_ex_id
    ]
    assert [(p.status, p.name) for p in waiting] == [("waiting", "Loan (smaller answer)")]

    present.decline(
        world.verifier, theirs.pres_ex_id, "We need your exact income for the loan file"
    )
    present.wait_abandoned(world.holder, mine.pres_ex_id)
    shown = [
        p
        for p in proposals.recent(world.holder, labels, now, book)
        if p.pres_ex_id == mine.pres_ex_id
    ]
    assert [(p.status, p.reason) for p in shown] == [
        ("declined", "We need your exact income for the loan file")
    ]
    assert shown[0].who == labels[conn]
