"""When a firm is breached: what was there, what it enables, whom to ask to erase (pure)."""

import pytest

from tests.exposure.test_holdings import (
    BANK,
    BAR,
    CITY,
    CLUB,
    DOB,
    GYM,
    NAME,
    NOW,
    SHOP,
    erased,
    receipt,
    sent,
)
from wallet.exposure.breach import plan

# A delivery firm still needs the name and city (ongoing, retention running): not past need.
COURIER = sent("Courier", 3, [*NAME, CITY], [], receipt("c1", 3, "P1Y", "service-delivery"))
# An identity check is done once answered: past its need.
HOTEL = sent("Hotel", 3, [*NAME, DOB], [], receipt("h1", 3, "P1Y", "identity-check"))
ASKED = sent("Asked", 3, [DOB], [], receipt("a1", 3, "P1Y"), erasure=erased("a1", 1))


@pytest.mark.parametrize(
    ("history", "firm", "raw", "enables", "targets", "suggested"),
    [
        (
            [BANK, HOTEL, COURIER, CLUB, BAR],
            "Bank",
            [*NAME, DOB],
            ["name + date of birth"],
            {
                "Hotel": ([*NAME, DOB], ["h1"], True),
                "Courier": (list(NAME), ["c1"], False),
                "Club": ([DOB], ["r3"], True),  # retention ended
            },
            ["r3", "h1"],
        ),
        (
            [SHOP, BANK, ASKED],
            "Shop",
            [*NAME, CITY],
            ["name + city"],
            {"Bank": (list(NAME), [], False)},  # no terms: cannot be asked, need unknown
            [],
        ),
        (
            [HOTEL, ASKED, GYM],  # already asked, and erased (confirmed): nothing to send
            "Hotel",
            [*NAME, DOB],
            ["name + date of birth"],
            {"Asked": ([DOB], [], True)},
            [],
        ),
        ([BAR, CLUB], "Bar", [], [], {}, []),  # only a proof left: nothing raw to leak
    ],
)
def test_breach_plan(history, firm, raw, enables, targets, suggested):
    found = plan(history, firm, NOW)
    assert list(found.raw) == raw
    assert [e.split(":")[0] for e in found.enables] == enables
    got = {t.firm: (list(t.shared), list(t.receipt_ids), t.past_need) for t in found.targets}
    assert got == targets
    assert sorted(found.suggested) == sorted(suggested)
    assert found.advice[-1].startswith("Change any password")


def test_breach_of_a_firm_that_received_nothing_is_none():
    assert plan([BANK], "Nobody", NOW) is None


def test_breach_plan_names_facts_only_proven():
    assert plan([BAR], "Bar", NOW).proven_only == (DOB,)


@pytest.mark.parametrize(
    ("raw", "enables"),
    [
        (
            ["given_name", DOB, CITY],
            [
                "name + date of birth + city",
                "name + date of birth",
                "name + city",
                "date of birth + city",
            ],
        ),
        (["family_name", CITY], []),  # a family name alone does not address the person
        (["annual_income"], ["your income"]),
        (["employer", "job_title"], ["employer + job title"]),
    ],
)
def test_what_leaked_values_enable_together(raw, enables):
    found = plan([sent("Leaky", 1, raw)], "Leaky", NOW)
    assert [e.split(":")[0] for e in found.enables] == enables
