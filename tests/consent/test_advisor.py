"""The over-asking advisor: table-driven over over-asking and fair requests."""

import datetime
from dataclasses import dataclass

import pytest

from wallet.consent.advisor import advise, check_threshold, counter_request, exposure
from wallet.errors import InputError
from wallet.schemas import load_all

SCHEMAS = load_all()
TODAY = datetime.date(2026, 11, 29)
ID = [{"cred_def_id": "did:tessera:z/creddef/id"}]
JOB = [{"cred_def_id": "did:tessera:z/creddef/job"}]
NATIONAL = ["given_name", "family_name", "birthdate_dateint"]
ADDRESS = ["address_country", "address_city"]


@dataclass
class Seen:
    """A history entry as the advisor reads it."""

    to: str
    action: str
    revealed: list


def req(attrs=None, preds=None):
    return {
        "name": "Sign-up",
        "version": "1.0",
        "nonce": "123",
        "requested_attributes": attrs or {},
        "requested_predicates": preds or {},
    }


OVER_ASKING = req({"id": {"names": [*NATIONAL, "nationality", *ADDRESS], "restrictions": ID}})
FAIR = req(
    {"nat": {"name": "nationality", "restrictions": ID}},
    {
        "adult": {
            "name": "birthdate_dateint",
            "p_type": "<=",
            "p_value": 20081129,
            "restrictions": ID,
        }
    },
)
INCOME_RAW = req({"job": {"names": ["employer", "annual_income"], "restrictions": JOB}})
UNRESTRICTED = req({"nat": {"name": "nationality", "restrictions": [{}]}})
PREDICATE_ONLY = req(preds=FAIR["requested_predicates"])
BANK_BEFORE = [Seen("Bank", "sent", ["nationality"]), Seen("Shop", "sent", ["address_city"])]
CITY_TOO = req({"a": {"names": ["nationality", "address_city"], "restrictions": ID}})
CITY_ONLY = req({"a": {"name": "address_city", "restrictions": ID}})  # nothing else asked


@pytest.mark.parametrize(
    ("request_", "history", "expected"),
    [
        (
            OVER_ASKING,
            [],
            {
                "suggest": ["birthdate_dateint"],
                "whole": ["National identity"],
                "new": [],
                "first_time": True,
                "unrestricted": [],
                "level": ("a lot", "a lot"),
                "raw": (6, 5),
            },
        ),
        (
            FAIR,
            [],
            {
                "suggest": [],
                "whole": [],
                "new": [],
                "first_time": True,
                "unrestricted": [],
                "level": ("little", "little"),
                "raw": (1, 1),
            },
        ),
        (
            INCOME_RAW,
            [],
            {
                "suggest": ["annual_income"],
                "whole": [],
                "new": [],
                "first_time": True,
                "unrestricted": [],
                "level": ("some", "little"),
                "raw": (2, 1),
            },
        ),
        (
            UNRESTRICTED,
            [],
            {
                "suggest": [],
                "whole": [],
                "new": [],
                "first_time": True,
                "unrestricted": ["nationality"],
                "level": ("little", "little"),
                "raw": (1, 1),
            },
        ),
        (
            PREDICATE_ONLY,
            BANK_BEFORE,
            {
                "suggest": [],
                "whole": [],
                "new": [],
                "first_time": False,
                "unrestricted": [],
                "level": ("nothing", "nothing"),
                "raw": (0, 0),
            },
        ),
        (
            CITY_TOO,
            BANK_BEFORE,
            {
                "suggest": [],
                "whole": [],
                "new": ["address_city"],
                "first_time": False,
                "unrestricted": [],
                "level": ("some", "little"),
                "raw": (2, 1),
                "over_asking": True,  # the city can be left out: the rest still answers
            },
        ),
        (
            CITY_ONLY,
            BANK_BEFORE,
            {
                "suggest": [],
                "whole": [],
                "new": ["address_city"],  # said, as information
                "first_time": False,
                "unrestricted": [],
                "level": ("little", "little"),
                "raw": (1, 1),
                "over_asking": False,  # leaving it out would answer nothing
            },
        ),
    ],
    ids=[
        "over-asking",
        "fair",
        "income-raw",
        "unrestricted",
        "predicate-only",
        "new-to-firm",
        "only-new-to-firm",
    ],
)
def test_advice_table(request_, history, expected):
    advice = advise(request_, SCHEMAS, TODAY, history, firm="Bank")
    assert [s.name for s in advice.suggestions] == expected["suggest"]
    assert list(advice.whole_credentials) == expected["whole"]
    assert list(advice.new_attributes) == expected["new"]
    assert advice.first_time is expected["first_time"]
    assert list(advice.unrestricted) == expected["unrestricted"]
    assert (advice.original.level, advice.smaller.level) == expected["level"]
    assert (advice.original.raw, advice.smaller.raw) == expected["raw"]
    assert advice.over_asking is expected.get(
        "over_asking", any(expected[k] for k in ("suggest", "whole", "unrestricted"))
    )
    if not advice.over_asking:  # never a "smaller" answer that is the request itself
        assert not advice.dropped and not advice.suggestions


def test_smaller_request_proves_age_instead_of_revealing_the_birthdate():
    smaller = advise(OVER_ASKING, SCHEMAS, TODAY).smaller_request
    assert "nonce" not in smaller
    assert smaller["requested_attributes"]["id"]["names"] == [
        "given_name",
        "family_name",
        "nationality",
        *ADDRESS,
    ]
    assert smaller["requested_predicates"] == {
        "birthdate_dateint_instead": {
            "name": "birthdate_dateint",
            "p_type": "<=",
            "p_value": 20081129,
            "restrictions": ID,
        }
    }


def test_a_threshold_the_person_cannot_prove_is_not_suggested():
    advice = advise(INCOME_RAW, SCHEMAS, TODAY, held={"annual_income": "15000"})
    assert advice.suggestions == ()


def test_counter_request_drops_and_rethresholds():
    [suggestion] = advise(INCOME_RAW, SCHEMAS, TODAY).suggestions
    smaller = counter_request(
        INCOME_RAW, TODAY, {"annual_income": suggestion}, drop={"employer"}, thresholds={}
    )
    assert smaller["requested_attributes"] == {}
    assert smaller["requested_predicates"]["annual_income_instead"]["p_value"] == 20000
    assert exposure(smaller, SCHEMAS).words == "Reveals nothing: no raw value, 1 fact proven."
    higher = counter_request(
        INCOME_RAW, TODAY, {"annual_income": suggestion}, thresholds={"annual_income": "45000"}
    )
    assert higher["requested_predicates"]["annual_income_instead"]["p_value"] == 45000


def test_counter_request_must_keep_something():
    with pytest.raises(InputError, match="keep at least one"):
        counter_request(UNRESTRICTED, TODAY, drop={"nationality"})


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [("years", "18", 18), ("years", "200", None), ("amount", "-1", None), ("amount", "x", None)],
)
def test_thresholds_are_checked(kind, value, ok):
    if ok is None:
        with pytest.raises(InputError):
            check_threshold(kind, value)
    else:
        assert check_threshold(kind, value) == ok


def test_exposure_words_name_the_sensitivity():
    words = exposure(OVER_ASKING, SCHEMAS).words
    assert words == "Reveals a lot: 6 raw values (1 highly sensitive, 3 medium, 2 low)."
