"""Settings, offers and credentials pages show labels and dates in words, not names and digits."""

import re

import pytest

from wallet.consent.policy import Policy, Shape
from wallet.holder.rules import RulesFile

from .fake_agent import INCOME, NATIONAL_ID


def _text(html):
    return re.sub(r"<[^>]*>", " ", html)


RULE = Policy().add_shape(
    Shape(
        "city-checks",
        "approve",
        attributes=frozenset({"address_city", "birthdate_dateint"}),
    )
)


@pytest.mark.parametrize(
    ("shown", "hidden"),
    [
        ("about City of residence, Date of birth only", "address_city"),
        ("about City of residence, Date of birth only", "birthdate_dateint, "),
        ('<td data-label="Connected">1 January 2026</td>', "2026-01-01T00:00:00Z"),
    ],
)
def test_settings_page_in_words(unlocked, service, shown, hidden):
    RulesFile(service.data_dir).save(RULE)
    page = unlocked.client.get("/settings/").get_data(as_text=True)
    assert shown in page
    rules = page.split('id="shape-rules"')[1].split("</ul>")[0]  # field names are not text
    firms = page.split("<th>Firm</th>")[1].split("</table>")[0]
    assert hidden not in rules + _text(firms)


@pytest.mark.parametrize(
    ("values", "shown", "hidden"),
    [
        (NATIONAL_ID, "<th>Date of birth</th><td>15 April 1990</td>", "19900415"),
        (INCOME, "<td>1 September 2018</td>", "20180901"),
        (INCOME, "<td>52750</td>", "52750 "),  # a number stays a number
    ],
)
def test_offer_and_credential_pages_show_dates_as_dates(unlocked, fake, values, shown, hidden):
    offer = unlocked.client.get(f"/offers/{fake.add_offer(values)}").get_data(as_text=True)
    cred_id = fake.add_credential(values)
    held = unlocked.client.get(f"/credentials/{cred_id}").get_data(as_text=True)
    for page in (offer, held):
        assert shown in page
        assert hidden not in page
