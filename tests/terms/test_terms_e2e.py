"""End to end with real agents: terms countered and agreed, proof, receipts, earnings, erasure."""

import datetime
from decimal import Decimal

import pytest

from wallet import scenario
from wallet.earnings import ledger
from wallet.errors import AgentError
from wallet.flows import present
from wallet.flows import receipts as flow
from wallet.flows import terms as client
from wallet.flows.negotiation import (
    NO_TERMS,
    Terms,
    accept_counter,
    auto_answer,
    offer_terms,
    terms_status,
)
from wallet.flows.receipts import countersign_received, issue_receipt, receipts, settle
from wallet.pricing.money import Money
from wallet.pricing.price_list import parse_price_list
from wallet.receipts.keys import KeyRing
from wallet.receipts.receipt import verify_receipt
from wallet.receipts.signed import sign_message

pytestmark = pytest.mark.e2e

PRICES = parse_price_list(
    {
        "version": 1,
        "currency": "EUR",
        "attribute": "0.40",
        "predicate": "0.10",
        "purposes": {"marketing": "3"},
        "floor_ratio": "0.8",
    }
)
TERMS = Terms("marketing", "consent", "P30D", False, Money("EUR", Decimal("0.50")), "Wine offers")


def test_terms_to_erasure(terms_world, tmp_path):
    world = terms_world
    holder, firm = world.holder, world.verifier
    holder_keys = KeyRing(world.settings.secrets_dir, "holder")
    firm_keys = KeyRing(world.settings.secrets_dir, "verifier")
    firm_key = firm_keys.for_connection(world.verifier_conn).did
    today = datetime.date.today()
    request = scenario.age_income_request(world.cred_defs, today)

    # The firm asks for a proof and states its terms with it; the wallet shows them.
    pres_ex_id, proof_thread = present.request_proof(firm, world.verifier_conn, request)
    record = present.wait_request(holder, proof_thread)
    conn = record["connection_id"]
    assert terms_status(holder, conn, proof_thread) == NO_TERMS
    offer_terms(firm, world.verifier_conn, TERMS, firm_key, proof_thread)
    offer = client.wait_message(holder, kind="offer", connection_id=conn)
    assert terms_status(holder, conn, proof_thread) == "offered"

    # 0.50 EUR is below the floor (1 revealed + 2 predicates = 0.60 x 3 = 1.80, floor 1.44).
    answer = auto_answer(holder, PRICES, offer, request)
    assert (answer.decision, str(answer.price)) == ("counter", "1.80 EUR")
    counter = client.wait_message(firm, kind="response", thread_id=offer["thread_id"])
    assert counter["body"]["decision"] == "counter"
    accept_counter(firm, counter, TERMS, firm_key, proof_thread)
    revised = client.wait_message(
        holder, kind="offer", thread_id=offer["thread_id"], match=lambda m: m["body"]["revision"]
    )
    assert auto_answer(holder, PRICES, revised, request).decision == "accept"
    assert terms_status(holder, conn, proof_thread) == "agreed"

    # A malformed offer is refused on arrival, with its reason recorded.
    bad = TERMS.body(firm_key, "other-thread") | {"price": {"amount": "-1", "currency": "EUR"}}
    client.send(firm, world.verifier_conn, "offer", bad, unchecked=True)
    refused = client.wait_message(holder, kind="offer", status="rejected", accepted=False)
    assert "negative" in refused["reason"]

    # The proof, then the receipt: signed by the person, countersigned by the firm.
    present.present(holder, record)
    assert present.wait_verified(firm, pres_ex_id).verified
    sent = holder.admin.get(f"/present-proof-2.0/records/{record['pres_ex_id']}")
    now = datetime.datetime.now(datetime.UTC)
    issue_receipt(holder, holder_keys, sent, now)
    incoming = client.wait_message(firm, kind="receipt")
    countersign_received(firm, firm_keys, incoming)
    client.wait_message(holder, kind="countersigned")
    # Each side's outbox hears the other's ack: nothing is left to resend.
    for agent, kind in ((holder, "receipt"), (firm, "countersigned")):
        agent.wait(
            lambda a=agent, k=kind: client.messages(a, kind=k, direction="sent"),
            lambda found: [m["delivery"] for m in found] == ["acked"],
            what=f"the ack of the {kind}",
        )
    (held,) = receipts(holder)
    (kept,) = receipts(firm, side="firm")
    assert held == kept
    verify_receipt(held)
    assert held["price"] == {"amount": "1.80", "currency": "EUR"}
    assert held["revealed_attributes"] == ["nationality"]
    assert "values" not in str(held)

    # The ledger shows what the firm owes.
    (entry,) = flow.ledger(holder)
    assert (entry.status, str(entry.price)) == ("owed", "1.80 EUR")
    assert ledger.totals_by_firm([entry])[(entry.party, "EUR")]["owed"] == Money(
        "EUR", Decimal("1.80")
    )

    # A settlement for the wrong amount is refused and changes nothing; the right one pays.
    wrong = sign_message(
        "settlement",
        {
            "receipt_id": held["receipt_id"],
            "price": {"amount": "0.01", "currency": "EUR"},
            "settled_at": now.isoformat(),
        },
        firm_keys.for_connection(world.verifier_conn),
    )
    client.send(firm, world.verifier_conn, "settlement", wrong)
    refused = client.wait_message(holder, kind="settlement", status="rejected", accepted=False)
    assert "is for 1.80 EUR" in refused["reason"]
    assert flow.ledger(holder)[0].status == "owed"
    settle(firm, firm_keys, kept, world.verifier_conn, now)
    client.wait_message(holder, kind="settlement", status="accepted")
    assert flow.ledger(holder)[0].status == "paid"
    assert ",1.80,EUR,paid," in ledger.to_csv(flow.ledger(holder))

    # Erasure: an acknowledgement for an unknown receipt is refused; the real one is recorded.
    ghost = sign_message(
        "erasure-ack",
        {"receipt_id": "no-such-receipt", "acknowledged_at": now.isoformat()},
        firm_keys.for_connection(world.verifier_conn),
    )
    client.send(firm, world.verifier_conn, "erasure-ack", ghost)
    refused = client.wait_message(holder, kind="erasure-ack", status="rejected", accepted=False)
    assert "does not exist here" in refused["reason"]
    assert flow.acknowledged(holder, now) == []
    flow.request_erasure(holder, holder_keys, held, conn, "person-asked", now)
    asked = client.wait_message(firm, kind="erasure-request")
    flow.acknowledge(firm, firm_keys, asked, now)
    client.wait_message(holder, kind="erasure-ack", status="accepted")
    (done,) = flow.acknowledged(holder, now)
    assert done.receipt_id == held["receipt_id"]
    assert flow.overdue(holder, now + datetime.timedelta(days=90)) == []


def test_agent_refuses_to_send_a_malformed_offer(terms_world):
    firm = terms_world.verifier
    bad = TERMS.body("did:key:z6Mkbad", "t") | {"retention": "a while"}
    with pytest.raises(AgentError) as info:
        client.send(firm, terms_world.verifier_conn, "offer", bad)
    assert info.value.status == 400 and "ISO 8601 duration" in info.value.body
    with pytest.raises(AgentError) as info:
        client.send(firm, terms_world.verifier_conn, "bribe", {})
    assert info.value.status == 400 and "message kind" in info.value.body


def test_request_without_terms_shows_no_terms_stated(terms_world):
    holder = terms_world.holder
    conn = holder.admin.get("/connections")["results"][0]["connection_id"]
    assert terms_status(holder, conn, "a-thread-nobody-offered-terms-for") == NO_TERMS
