"""`wallet.speedups`' credential routes on a real holder.

`POST /tessera/credentials/read` answers as `GET /credential/{id}`, in one call;
`GET /tessera/credentials/changes` counts every credential stored or deleted.
"""

import uuid

import pytest

from wallet import scenario
from wallet.errors import AgentError
from wallet.flows import held
from wallet.speedups.routes import MOST


def test_each_credential_reads_as_acapy_reads_it_and_one_not_stored_reads_null(seeded_world):
    holder = seeded_world.holder
    stored = list(seeded_world.cred_ids.values())
    missing = str(uuid.uuid4())
    asked = [stored[1], missing, stored[0], *stored[2:]]
    answer = holder.admin.post("/tessera/credentials/read", {"ids": asked})["results"]
    assert answer == [None if i == missing else held.credential(holder, i) for i in asked]
    assert answer[0]["attrs"]  # a whole credential info, values included


def test_the_client_reads_more_than_one_call_holds(seeded_world):
    holder = seeded_world.holder
    stored = list(seeded_world.cred_ids.values())
    missing = [str(uuid.uuid4()) for _ in range(MOST + 5)]
    found = held.read(holder, [*missing, *stored])
    assert {i: found[i] for i in stored} == {i: held.credential(holder, i) for i in stored}
    assert all(found[i] is None for i in missing) and len(found) == len(missing) + len(stored)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": []},
        {"ids": "one"},
        {"ids": [1]},
        {"ids": [""]},
        {"ids": ["x" * 201]},
        {"ids": ["x"] * (MOST + 1)},
        ["x"],
    ],
)
def test_a_malformed_body_is_refused_with_a_reason(seeded_world, body):
    with pytest.raises(AgentError) as refused:
        seeded_world.holder.admin.post("/tessera/credentials/read", body)
    assert refused.value.status == 400
    assert "ids" in str(refused.value)


def test_every_store_and_deletion_changes_the_count_and_nothing_else_does(seeded_world):
    holder = seeded_world.holder
    epoch, start = held.changes(holder)
    identity = {scenario.IDENTITY: scenario.load_person()[scenario.IDENTITY]}
    cred_id = scenario.issue_person(seeded_world, identity)[scenario.IDENTITY]
    stored = held.changes(holder)
    held.credentials(holder)  # reads change nothing
    held.read(holder, [cred_id])
    assert held.changes(holder) == stored == (epoch, start + 1)
    held.delete(holder, cred_id)
    assert held.changes(holder) == (epoch, start + 2)
    assert held.read(holder, [cred_id]) == {cred_id: None}
