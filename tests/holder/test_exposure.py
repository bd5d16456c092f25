"""Joining the history with receipts for the exposure map: names proven, ids used, values."""

import datetime

import pytest

from wallet.exposure.holdings import Disclosure
from wallet.history.log import Entry
from wallet.holder import exposure
from wallet.schemas import load_all

SCHEMAS = load_all()
AGE = "proves you are at least 18; your date of birth is not shared"
INCOME = "proves your annual income is at least 30000; the amount is not shared"


def entry(**details):
    return Entry(when="2026-11-29T12:00:00+00:00", action="sent", to="Bank", **details)


@pytest.mark.parametrize(
    ("predicates", "receipt", "names"),
    [
        ([AGE, INCOME], None, ("birthdate_dateint", "annual_income")),
        (["proves something we never heard of"], None, ("proves something we never heard of",)),
        (
            [AGE],
            {"predicates": [{"name": "employed_since_dateint", "p_type": "<=", "p_value": 1}]},
            ("employed_since_dateint",),  # the receipt's names win over the sentences
        ),
        ([], None, ()),
    ],
)
def test_proven_names_from_the_receipt_else_from_the_sentences(predicates, receipt, names):
    assert exposure._proven_names(entry(predicates=predicates), receipt, SCHEMAS) == names


@pytest.mark.parametrize(
    ("credentials", "ids"),
    [
        (["National identity (cred-1)", "Employment and income (cred-2)"], ("cred-1", "cred-2")),
        (["no id here"], ()),
        ([], ()),
    ],
)
def test_credential_ids_from_the_history(credentials, ids):
    assert exposure._credential_ids(entry(credentials=credentials)) == ids


class Agent:
    """Only what `values` reads: the stored credentials, through the admin API."""

    def __init__(self, creds):
        """Hold `creds` as ACA-Py lists them."""
        self.admin = self
        self.creds = creds

    def get(self, path, **params):
        """Answer GET /credentials."""
        assert path == "/credentials"
        return {"results": self.creds}


def test_values_come_from_the_credential_that_answered():
    agent = Agent(
        [
            {"referent": "old", "attrs": {"address_city": "Lyon"}},
            {"referent": "new", "attrs": {"address_city": "Villeurbanne"}},
        ]
    )
    moment = datetime.datetime.fromisoformat(entry().when)
    found = [
        Disclosure("Shop", moment, ("address_city",), (), credentials=("new",)),
        Disclosure("Cafe", moment, ("address_city",), ()),
    ]
    assert exposure.values(agent, found) == {
        ("Shop", "address_city"): "Villeurbanne",
        ("Cafe", "address_city"): "Lyon",
    }
