"""Tests for the directory store: objects written once, revocation list histories."""

import json
import multiprocessing
import os

import pytest

from wallet.errors import IntegrityError, NotFound, RegistryError, WriteConflict
from wallet.registry.ids import REV_REG_DEF, SCHEMA, object_id
from wallet.registry.signing import REV_LIST, SignedRecord, sign_record, verify_rev_list_entry
from wallet.registry.store import DirectoryStore

from .conftest import ISSUER_ID, issuer_key

SCHEMA_CONTENT = {"issuerId": ISSUER_ID, "name": "n", "version": "1.0", "attrNames": ["a"]}
SCHEMA_ID = object_id(SCHEMA, ISSUER_ID, SCHEMA_CONTENT)
REV_REG_ID = object_id(REV_REG_DEF, ISSUER_ID, {"issuerId": ISSUER_ID, "tag": "0"})


def entry(timestamp: int, revoked: tuple[int, ...] = ()) -> SignedRecord:
    """A signed revocation list entry of REV_REG_ID."""
    content = {
        "issuerId": ISSUER_ID,
        "revRegDefId": REV_REG_ID,
        "revocationList": [1 if i in revoked else 0 for i in range(4)],
        "currentAccumulator": f"acc {timestamp}",
        "timestamp": timestamp,
    }
    return sign_record(REV_LIST, REV_REG_ID, content, issuer_key())


class Clock:
    """A settable clock for `now=`."""

    def __init__(self, value: float):
        """Start at `value`."""
        self.value = value

    def __call__(self) -> float:
        """Return the current value."""
        return self.value


def test_object_round_trip(tmp_path):
    """An object put is the object got, in one file under objects/."""
    store = DirectoryStore(tmp_path)
    record = sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, issuer_key())
    store.put_object(record)
    assert store.get_object(SCHEMA_ID) == record
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1
    assert files[0].parent.parent.name == ISSUER_ID.rsplit(":", 1)[1]


def test_object_rewrite_with_same_content_is_a_no_op(tmp_path):
    """Registering the same object twice is fine."""
    store = DirectoryStore(tmp_path)
    record = sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, issuer_key())
    store.put_object(record)
    store.put_object(record)
    assert store.get_object(SCHEMA_ID) == record


def test_object_rewrite_with_other_content_is_an_integrity_error(tmp_path):
    """A stored object is never overwritten by different content."""
    store = DirectoryStore(tmp_path)
    record = sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, issuer_key())
    store.put_object(record)
    forged = sign_record(SCHEMA, SCHEMA_ID, {**SCHEMA_CONTENT, "name": "m"}, issuer_key())
    with pytest.raises(IntegrityError, match=SCHEMA_ID):
        store.put_object(forged)
    assert store.get_object(SCHEMA_ID) == record


def test_missing_object_is_not_found(tmp_path):
    """NotFound (a LookupError) names the id."""
    with pytest.raises(NotFound, match=SCHEMA_ID):
        DirectoryStore(tmp_path).get_object(SCHEMA_ID)


def test_corrupt_object_file_is_an_integrity_error(tmp_path):
    """A truncated file does not parse and says so."""
    store = DirectoryStore(tmp_path)
    store.put_object(sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, issuer_key()))
    (path,) = tmp_path.rglob("*.json")
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(IntegrityError, match="failed its integrity check"):
        store.get_object(SCHEMA_ID)


def test_writes_leave_no_temporary_files(tmp_path):
    """Temporary files are linked into place and removed."""
    store = DirectoryStore(tmp_path)
    store.put_object(sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, issuer_key()))
    store.append_rev_list(entry(1000))
    names = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert not [n for n in names if n.startswith(".tmp-")]


@pytest.mark.parametrize(
    ("timestamp_to", "expected"),
    [
        (None, 3000),
        (999, None),
        (1000, 1000),
        (1999, 1000),
        (2000, 2000),
        (2500, 2000),
        (9999, 3000),
    ],
)
def test_rev_list_history_answers_by_timestamp(tmp_path, timestamp_to, expected):
    """The newest entry at or before the asked time; none before the first entry."""
    store = DirectoryStore(tmp_path)
    for stamp in (1000, 2000, 3000):
        store.append_rev_list(entry(stamp))
    if expected is None:
        with pytest.raises(NotFound, match="at or before 999"):
            store.get_rev_list(REV_REG_ID, timestamp_to)
    else:
        assert store.get_rev_list(REV_REG_ID, timestamp_to).timestamp == expected


def test_rev_list_of_unknown_registry_is_not_found(tmp_path):
    """No history, no list."""
    with pytest.raises(NotFound):
        DirectoryStore(tmp_path).get_rev_list(REV_REG_ID)
    assert DirectoryStore(tmp_path).latest_rev_list_timestamp(REV_REG_ID) is None


@pytest.mark.parametrize("stamp", [1000, 999])
def test_rev_list_append_not_after_the_newest_is_a_conflict(tmp_path, stamp):
    """History is append-only: an entry at or before the newest is refused."""
    store = DirectoryStore(tmp_path)
    store.append_rev_list(entry(1000, revoked=(1,)))
    with pytest.raises(WriteConflict):
        store.append_rev_list(entry(stamp))
    assert store.get_rev_list(REV_REG_ID).content["revocationList"][1] == 1


@pytest.mark.parametrize(
    ("clock", "history", "expected"),
    [(1000.7, [], 1000), (1000.0, [500], 1000), (1000.0, [1000], 1001), (1000.0, [1003], 1004)],
)
def test_next_timestamp_is_now_or_one_past_the_newest(tmp_path, clock, history, expected):
    """Two updates in one second get consecutive stamps instead of clobbering each other."""
    store = DirectoryStore(tmp_path, now=Clock(clock))
    for stamp in history:
        store.append_rev_list(entry(stamp))
    assert store.next_timestamp(REV_REG_ID) == expected


def test_misfiled_rev_list_entry_is_an_integrity_error(tmp_path):
    """Renaming an entry file to another time is detected."""
    store = DirectoryStore(tmp_path)
    store.append_rev_list(entry(1000))
    (path,) = tmp_path.rglob("1000.json")
    path.rename(path.with_name("500.json"))
    with pytest.raises(IntegrityError, match="misfiled"):
        store.get_rev_list(REV_REG_ID, 600)


def test_append_refuses_records_that_are_not_entries(tmp_path):
    """Only timestamped revocation list entries go into a history."""
    record = sign_record(SCHEMA, SCHEMA_ID, SCHEMA_CONTENT, issuer_key())
    with pytest.raises(RegistryError):
        DirectoryStore(tmp_path).append_rev_list(record)


def _append_with_retries(root: str, worker: int, count: int) -> None:
    """Append `count` entries like the registry does: stamp, sign, append, retry on conflict."""
    store = DirectoryStore(root, now=lambda: 1_000)  # one frozen second for everyone
    for n in range(count):
        while True:
            stamp = store.next_timestamp(REV_REG_ID)
            content = {
                "issuerId": ISSUER_ID,
                "revRegDefId": REV_REG_ID,
                "revocationList": [worker, n],
                "currentAccumulator": f"worker {worker} entry {n}",
                "timestamp": stamp,
            }
            try:
                store.append_rev_list(sign_record(REV_LIST, REV_REG_ID, content, issuer_key()))
            except WriteConflict:
                continue
            break


def test_concurrent_writers_keep_every_entry(tmp_path):
    """Several processes appending at once lose nothing and leave only whole files."""
    workers, count = 4, 15
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_append_with_retries, args=(str(tmp_path), w, count))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0

    store = DirectoryStore(tmp_path)
    history = tmp_path / "revlists"
    files = sorted(p for p in history.rglob("*") if p.is_file() and p.name != ".lock")
    assert len(files) == workers * count
    seen = set()
    for path in files:
        json.loads(path.read_bytes())
        record = store.get_rev_list(REV_REG_ID, int(path.stem))
        verify_rev_list_entry(record, REV_REG_ID, int(path.stem))
        seen.add(tuple(record.content["revocationList"]))
    assert seen == {(w, n) for w in range(workers) for n in range(count)}
    stamps = sorted(int(p.stem) for p in files)
    assert stamps == list(range(1_000, 1_000 + workers * count))
    assert not [p for p in history.rglob(".tmp-*")]
    assert os.listdir(tmp_path) == ["revlists"]
