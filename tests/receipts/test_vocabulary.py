"""ISO 8601 durations and times for retention."""

import datetime

import pytest

from wallet.errors import InputError
from wallet.receipts.vocabulary import parse_duration, parse_time

START = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("P30D", datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)),
        ("P1M", datetime.datetime(2026, 2, 28, 12, 0, tzinfo=datetime.UTC)),
        ("P1Y", datetime.datetime(2027, 1, 31, 12, 0, tzinfo=datetime.UTC)),
        ("P2W", datetime.datetime(2026, 2, 14, 12, 0, tzinfo=datetime.UTC)),
        ("PT36H", datetime.datetime(2026, 2, 2, 0, 0, tzinfo=datetime.UTC)),
        ("P1Y1M1DT1H1M1S", datetime.datetime(2027, 3, 1, 13, 1, 1, tzinfo=datetime.UTC)),
    ],
)
def test_duration_is_added_by_the_calendar(text, end):
    assert parse_duration(text).after(START) == end


@pytest.mark.parametrize("text", ["", "P", "PT", "30D", "P30", "P-1D", "P1.5D", "1 year", 30, None])
def test_non_durations_are_refused(text):
    with pytest.raises(InputError, match="ISO 8601 duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["2026-01-01", "2026-01-01T00:00:00", "yesterday", None])
def test_times_need_an_offset(text):
    with pytest.raises(InputError, match="UTC offset"):
        parse_time(text)
