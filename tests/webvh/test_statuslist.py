"""Status lists by timestamp, the index's shape and rollback refusal (pure)."""

import pytest

from wallet.webvh.errors import NotPublished, Rollback, Tampered
from wallet.webvh.ids import digest_multibase, parse_resource_id
from wallet.webvh.statuslist import (
    Entry,
    check_no_rollback,
    entry_at,
    needs_refresh,
    next_timestamp,
    parse_links,
)

DID = "did:webvh:QmcvPyyDtWEz8FRDwE1j21YrZD2cCkNJzbUtewCXVbrB9d:issuer.tessera.localhost%3A8443"
REV_REG = parse_resource_id(f"{DID}/resources/{digest_multibase({'rev': 'reg'})}")


def rid(n):
    return f"{DID}/resources/{digest_multibase({'list': n})}"


A, B, C = Entry(100, rid(1)), Entry(200, rid(2)), Entry(300, rid(3))
INDEX = (A, B, C)


@pytest.mark.parametrize(
    ("timestamp_to", "expected"),
    [(100, A), (150, A), (200, B), (299, B), (300, C), (10**10, C), (None, C)],
)
def test_the_list_in_force_is_the_newest_at_or_before_the_time(timestamp_to, expected):
    assert entry_at(INDEX, timestamp_to, REV_REG.id) == expected


def test_a_time_before_the_first_list_finds_none():
    with pytest.raises(NotPublished, match="first is stamped 100"):
        entry_at(INDEX, 99, REV_REG.id)
    with pytest.raises(NotPublished):
        entry_at((), None, REV_REG.id)


@pytest.mark.parametrize(
    ("served", "seen", "refused"),
    [
        ((A, B, C), C, False),
        ((A, B, C), B, False),  # grew since
        ((A, B), C, True),  # the newest seen is gone: rollback
        ((A,), B, True),
        ((), A, True),
        ((A, Entry(200, rid(9)), Entry(300, rid(8))), B, True),  # history rewritten
        ((A, B, C), None, False),
    ],
)
def test_rollback_table(served, seen, refused):
    if refused:
        with pytest.raises(Rollback, match="rollback"):
            check_no_rollback(served, seen, REV_REG.id)
    else:
        check_no_rollback(served, seen, REV_REG.id)


def test_links_parse_sorted_and_ignore_other_kinds():
    links = [C.to_link(), A.to_link(), {"type": "RelatedLink", "id": "https://x"}, B.to_link()]
    assert parse_links(links, REV_REG) == INDEX


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "anonCredsStatusList", "id": rid(1)},  # no timestamp
        {"type": "anonCredsStatusList", "id": rid(1), "timestamp": "100"},
        {"type": "anonCredsStatusList", "id": rid(1), "timestamp": True},
        {"type": "anonCredsStatusList", "id": "https://elsewhere/x", "timestamp": 5},
        {
            "type": "anonCredsStatusList",
            "id": rid(1).replace(DID, DID.replace("issuer.", "other.")),
            "timestamp": 5,
        },
        {"type": "anonCredsStatusList", "id": rid(7), "timestamp": 100},  # duplicate time
    ],
)
def test_malformed_index_is_tampered(bad):
    with pytest.raises(Tampered):
        parse_links([A.to_link(), bad], REV_REG)


@pytest.mark.parametrize(
    ("index", "now", "stamp"),
    [((), 500, 500), ((A,), 500, 500), ((A, B, C), 300, 301), ((A, B, C), 250, 301)],
)
def test_new_lists_are_stamped_strictly_after_the_newest(index, now, stamp):
    assert next_timestamp(index, now) == stamp


@pytest.mark.parametrize(
    ("index", "timestamp_to", "refresh"),
    [
        (None, 100, True),
        ((), 100, True),
        (INDEX, None, True),
        (INDEX, 301, True),
        (INDEX, 300, False),
        (INDEX, 150, False),
    ],
)
def test_a_known_index_answers_times_up_to_its_newest_entry(index, timestamp_to, refresh):
    assert needs_refresh(index, timestamp_to) is refresh
