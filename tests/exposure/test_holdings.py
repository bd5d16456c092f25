"""The exposure map's arithmetic: tables of histories -> per firm, per attribute, savings."""

import datetime

import pytest

from wallet.exposure.holdings import (
    AttributeExposure,
    Disclosure,
    by_attribute,
    by_firm,
    held_count,
    savings,
    timeline,
)
from wallet.receipts.erasure import ErasureState
from wallet.schemas import load_all

SCHEMAS = load_all()
UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
DOB, NAME, CITY = "birthdate_dateint", ("given_name", "family_name"), "address_city"


def ago(days):
    return NOW - datetime.timedelta(days=days)


def receipt(rid, days_ago, retention="P30D", purpose="age-check", onward=False):
    return {
        "receipt_id": rid,
        "issued_at": ago(days_ago).isoformat(),
        "retention": retention,
        "purpose": {"code": purpose, "text": ""},
        "onward_sharing": onward,
    }


def erased(rid, asked_days_ago, acked_days_ago=None, overdue=False):
    acked = ago(acked_days_ago).isoformat() if acked_days_ago is not None else ""
    return ErasureState(rid, "conn", ago(asked_days_ago).isoformat(), acked, overdue)


def sent(firm, days_ago, revealed=(), proven=(), terms=None, countersigned=True, erasure=None):
    return Disclosure(
        firm, ago(days_ago), tuple(revealed), tuple(proven), terms, countersigned, erasure
    )


SHOP = sent("Shop", 10, [*NAME, CITY], [], receipt("r1", 10, "P1Y", "service-delivery"))
BAR = sent("Bar", 5, [], [DOB], receipt("r2", 5, "P30D"))
BANK = sent("Bank", 40, [*NAME, DOB], ["annual_income"])  # no terms
CLUB = sent("Club", 60, [DOB], [], receipt("r3", 60, "P30D"))  # retention ended, never asked
GYM = sent("Gym", 90, [DOB, CITY], [], receipt("r4", 90, "P30D"), erasure=erased("r4", 55, 50))
CAFE = sent("Cafe", 90, [CITY], [], receipt("r5", 90, "P30D"), erasure=erased("r5", 59))
LATE = sent(
    "Late", 120, [CITY], [], receipt("r6", 120, "P30D"), erasure=erased("r6", 89, None, True)
)
NOT_TERMS = "the firm's agent does not use Tessera terms"
REFUSED = sent(
    "Old",
    90,
    [CITY],
    [],
    receipt("r9", 90, "P30D"),
    erasure=ErasureState("r9", "conn", ago(59).isoformat(), "", False, NOT_TERMS),
)


@pytest.mark.parametrize(
    ("disclosure", "state", "until", "ended", "erasable"),
    [
        (SHOP, "not asked", ago(10) + datetime.timedelta(days=365), False, True),
        (BAR, "not asked", ago(5) + datetime.timedelta(days=30), False, True),
        (BANK, "not asked", None, False, False),
        (CLUB, "not asked", ago(30), True, True),
        (GYM, "confirmed", ago(60), False, False),
        (CAFE, "asked", ago(60), True, False),
        (LATE, "overdue", ago(90), True, False),
        (REFUSED, "refused", ago(60), True, False),  # refused: still held, nothing erased
        (
            sent("X", 1, [DOB], [], receipt("r7", 1), countersigned=False),
            "not asked",
            ago(1) + datetime.timedelta(days=30),
            False,
            False,
        ),
    ],
)
def test_retention_and_erasure_state_of_each_answer(disclosure, state, until, ended, erasable):
    assert disclosure.erasure_state == state
    assert disclosure.until == until
    assert disclosure.retention_ended(NOW) is ended
    assert disclosure.erasable is erasable


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], {}),
        (
            [SHOP, BAR, BANK],
            {
                "Shop": ([*NAME, CITY], [], [*NAME, CITY], False, 0),
                "Bar": ([], [DOB], [], False, 1),
                "Bank": ([*NAME, DOB], ["annual_income"], [*NAME, DOB], True, 1),
            },
        ),
        (
            # The same firm twice: a fact proven once and later revealed counts as raw.
            [sent("Shop", 20, [], [DOB]), sent("Shop", 2, [DOB], [], receipt("r8", 2))],
            {"Shop": ([DOB], [], [DOB], False, 1)},  # raw only under terms
        ),
        (
            [GYM, CAFE],  # erasure confirmed: no longer held; asked but not confirmed: held
            {"Gym": ([DOB, CITY], [], [], False, 0), "Cafe": ([CITY], [], [CITY], False, 0)},
        ),
    ],
)
def test_per_firm_raw_proven_held_unlimited_and_saved(history, expected):
    got = {
        f.firm: (list(f.raw), list(f.proven_only), list(f.holds(NOW)), f.unlimited, f.saved)
        for f in by_firm(history)
    }
    assert got == expected


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], []),
        (
            [SHOP, BANK, CLUB, BAR],
            [
                # date of birth: high (3) x 2 firms = 6; names: medium (2) x 2 = 4; city: 2.
                ("Date of birth", ("Club", "Bank"), ("Bank",)),  # firms in order of first answer
                ("Family name", ("Bank", "Shop"), ("Bank",)),
                ("Given name", ("Bank", "Shop"), ("Bank",)),
                ("City of residence", ("Shop",), ()),
            ],
        ),
        ([GYM, CAFE, LATE], [("City of residence", ("Late", "Cafe"), ())]),
    ],
)
def test_per_attribute_sorted_by_sensitivity_times_holders(history, expected):
    got = [(a.label, a.firms, a.unlimited) for a in by_attribute(history, SCHEMAS, NOW)]
    assert got == expected


@pytest.mark.parametrize(
    ("firms", "unlimited", "words"),
    [
        (("A",), (), "Your date of birth is held by 1 firm."),
        (("A",), ("A",), "Your date of birth is held by 1 firm, it with no retention limit."),
        (
            ("A", "B", "C"),
            ("B",),
            "Your date of birth is held by 3 firms, one of them with no retention limit.",
        ),
        (
            ("A", "B", "C"),
            ("B", "C"),
            "Your date of birth is held by 3 firms, 2 of them with no retention limit.",
        ),
    ],
)
def test_attribute_sentence(firms, unlimited, words):
    assert AttributeExposure(DOB, "Date of birth", "high", firms, unlimited).words == words


@pytest.mark.parametrize(
    ("history", "per_firm", "saved", "words"),
    [
        ([], (), 0, "No proof has kept a raw value out of a firm's database yet."),
        (
            [SHOP, BAR, BANK],
            (("Shop", 3, 3), ("Bar", 1, 0), ("Bank", 4, 3)),
            2,
            "Proofs kept 2 raw values out of 2 firms' databases.",
        ),
        ([BAR], (("Bar", 1, 0),), 1, "Proofs kept 1 raw value out of 1 firm's database."),
    ],
)
def test_what_proofs_saved(history, per_firm, saved, words):
    found = savings(history)
    assert (set(found.per_firm), found.saved) == (set(per_firm), saved)
    assert found.words == words


def test_raw_values_held_over_time_count_erasures_when_confirmed():
    history = [GYM, SHOP]  # Gym: 2 values from day -90, erased day -50; Shop: 3 from day -10
    assert held_count(history, ago(91)) == 0
    assert held_count(history, ago(60)) == 2
    assert held_count(history, ago(20)) == 0
    assert held_count(history, NOW) == 3
    points = timeline(history, NOW)
    assert [p[0] for p in points] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert [p[1] for p in points] == [2, 2, 0, 3]


def test_timeline_of_nothing_is_empty():
    assert timeline([], NOW) == []
