"""The earnings ledger folded from receipts and settlements: totals, CSV, refusals."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from tests.receipts.samples import countersigned
from wallet.earnings.ledger import build, to_csv, totals_by_firm, totals_by_month
from wallet.pricing.money import Money


def msg(kind, body, *, direction="received", status="accepted", receipt_id="", conn="c1"):
    return {
        "kind": kind,
        "direction": direction,
        "status": status,
        "connection_id": conn,
        "receipt_id": receipt_id,
        "body": body,
    }


def receipt_msg(day, amount, firm="did:peer:4firm", **kwargs):
    r = countersigned(datetime.datetime(2026, 3, day, tzinfo=datetime.UTC))
    r = r | {"price": {"amount": amount, "currency": "EUR"}, "firm": {**r["firm"], "did": firm}}
    return msg("countersigned", {"receipt": r}, receipt_id=r["receipt_id"], **kwargs), r


def settlement(receipt, status="accepted"):
    body = {
        "receipt_id": receipt["receipt_id"],
        "price": receipt["price"],
        "settled_at": "2026-04-01T00:00:00+00:00",
    }
    return msg("settlement", body, receipt_id=receipt["receipt_id"], status=status)


def eur(text):
    return Money("EUR", Decimal(text))


@pytest.fixture
def messages():
    m1, r1 = receipt_msg(1, "0.10")
    m2, r2 = receipt_msg(2, "0.20")
    m3, _ = receipt_msg(3, "0.70", firm="did:peer:4shop")
    return [m1, m2, m3, settlement(r1)], (r1, r2)


def test_entries_owed_and_paid(messages):
    entries = build(messages[0])
    assert [(e.status, e.price) for e in entries] == [
        ("paid", eur("0.10")),
        ("owed", eur("0.20")),
        ("owed", eur("0.70")),
    ]


def test_totals_per_firm_are_exact(messages):
    totals = totals_by_firm(build(messages[0]))
    assert totals[("did:peer:4firm", "EUR")] == {"owed": eur("0.20"), "paid": eur("0.10")}
    assert totals[("did:peer:4shop", "EUR")] == {"owed": eur("0.70"), "paid": eur("0")}


def test_totals_per_month(messages):
    extra, _ = receipt_msg(4, "0.30")
    extra["body"]["receipt"]["issued_at"] = "2026-04-04T00:00:00+00:00"
    totals = totals_by_month(build([*messages[0], extra]))
    assert totals[("2026-03", "EUR")] == {"owed": eur("0.90"), "paid": eur("0.10")}
    assert totals[("2026-04", "EUR")]["owed"] == eur("0.30")


def test_refused_and_foreign_messages_change_nothing(messages):
    msgs, (_, r2) = messages
    before = build(msgs)
    noise = [
        settlement(r2, status="rejected"),
        receipt_msg(5, "9.99", status="rejected")[0],
        receipt_msg(6, "9.99", direction="sent")[0],
    ]
    assert build([*msgs, *noise]) == before


def test_a_replayed_receipt_counts_once(messages):
    msgs, _ = messages
    assert build([*msgs, msgs[0]]) == build(msgs)


def test_csv_export(messages):
    rows = list(csv.DictReader(io.StringIO(to_csv(build(messages[0])))))
    assert [(r["amount"], r["currency"], r["status"], r["month"]) for r in rows] == [
        ("0.10", "EUR", "paid", "2026-03"),
        ("0.20", "EUR", "owed", "2026-03"),
        ("0.70", "EUR", "owed", "2026-03"),
    ]


def test_firm_side_ledger_uses_what_it_sent(messages):
    msgs, _ = messages
    sent = [m | {"direction": "sent"} for m in msgs]
    assert [e.party for e in build(sent, side="firm")] == ["did:peer:4holder"] * 3
