"""Models parsed from verified content are kept while that very content is what is read."""

import pytest
from acapy_agent.anoncreds.models.schema import AnonCredsSchema

from wallet.webvh.parsed import ParsedModels

SCHEMA = {"issuerId": "did:webvh:x", "attrNames": ["a", "b"], "name": "s", "version": "1.0"}


@pytest.fixture
def counting():
    """A model class noting each parse in its `parsed`."""

    class Counting:
        parsed = []  # noqa: RUF012 -- one class per test

        @classmethod
        def deserialize(cls, content):
            cls.parsed.append(content)
            return AnonCredsSchema.deserialize(content)

    return Counting


@pytest.mark.parametrize(
    ("second", "parses"),
    [
        (lambda first: first, 1),  # the verified cache's same object: kept
        (dict, 2),  # equal content read again (from disk, say): parsed again
    ],
)
def test_a_model_is_kept_only_for_the_content_it_came_from(counting, second, parses):
    models, first = ParsedModels(), dict(SCHEMA)
    model = models.parse(counting, "id-1", first)
    again = models.parse(counting, "id-1", second(first))
    assert len(counting.parsed) == parses
    assert (again is model) is (parses == 1)
    assert again.serialize() == SCHEMA


def test_ids_and_classes_are_kept_apart_and_the_least_used_go_first(counting):
    models, content = ParsedModels(most=2), dict(SCHEMA)
    one = models.parse(counting, "id-1", content)
    assert models.parse(AnonCredsSchema, "id-1", content) is not one  # another class
    assert models.parse(counting, "id-1", content) is one  # used: now the newest
    models.parse(counting, "id-2", content)  # evicts (AnonCredsSchema, id-1)
    assert models.parse(counting, "id-1", content) is one
    models.parse(counting, "id-3", content)  # evicts id-2, the least used
    models.parse(counting, "id-2", content)
    assert len(counting.parsed) == 4  # id-1, id-2, id-3, id-2 again
