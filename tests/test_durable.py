"""Durable files: atomic writes that sync, locked read-modify-writes, corrupt files set aside."""

import datetime
import json
import multiprocessing
import os
import stat
import threading

import pytest

from wallet import durable
from wallet.durable import CorruptFile

NOW = datetime.datetime(2026, 11, 29, 12, 30, 5, tzinfo=datetime.UTC)
WORKERS = 20
PROCESS_BUMPS = 25


def leftovers(directory):
    """Return the temporary files left in `directory` (lock files are not temporary data)."""
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.name.startswith(".tmp-") and not p.name.endswith(".lock")
    )


@pytest.mark.parametrize(
    ("write", "value", "expected"),
    [
        (durable.write_bytes, b"\x00raw bytes", b"\x00raw bytes"),
        (durable.write_text, "caf\u00e9\n", "caf\u00e9\n".encode()),
        (durable.write_json, {"b": 1, "a": [2]}, b'{"b": 1, "a": [2]}\n'),
    ],
)
def test_each_writer_leaves_exactly_the_content_owner_only_and_no_temporary_file(
    tmp_path, write, value, expected
):
    path = tmp_path / "deep" / "file"
    assert write(path, value) == path
    assert path.read_bytes() == expected
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert leftovers(path.parent) == []


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_the_mode_asked_for_is_the_files_mode(tmp_path, mode):
    path = durable.write_text(tmp_path / "f", "x", mode=mode)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_the_file_and_its_directory_are_synced_before_the_write_returns(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def fsync(fd):
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(durable.os, "fsync", fsync)
    durable.write_text(tmp_path / "f", "x")
    assert synced == ["file", "dir"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    path = durable.write_text(tmp_path / "f", "old")
    with pytest.raises(TypeError):
        durable.write_bytes(path, "not bytes")
    assert path.read_text() == "old" and leftovers(tmp_path) == []


def test_without_replace_an_existing_file_is_never_replaced(tmp_path):
    path = durable.write_text(tmp_path / "id", "first", replace=False)
    with pytest.raises(FileExistsError):
        durable.write_text(path, "second", replace=False)
    assert path.read_text() == "first" and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("given", "missing", "expected"),
    [({"a": 1}, None, {"a": 1}), (None, [], []), (None, {"fresh": True}, {"fresh": True})],
)
def test_read_json_returns_the_document_or_what_stands_for_none(tmp_path, given, missing, expected):
    path = tmp_path / "doc.json"
    if given is not None:
        durable.write_json(path, given)
    assert durable.read_json(path, missing=missing) == expected


def test_read_json_without_a_stand_in_says_the_file_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError):
        durable.read_json(tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"a": 1', "is not valid JSON (line 1"),
        (b'{"a": 1}\n{"b": 2}\n', "is not valid JSON (line 2: Extra data"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b"", "is not valid JSON (line 1"),
    ],
)
def test_a_corrupt_file_is_reported_and_set_aside_never_replaced(tmp_path, content, problem):
    path = tmp_path / "price-list.json"
    path.write_bytes(content)
    with pytest.raises(CorruptFile, match="fix it") as caught:
        durable.read_json(path, missing={}, now=lambda: NOW)
    assert problem in str(caught.value) and isinstance(caught.value, ValueError)
    aside = tmp_path / "price-list.json.corrupt-20261129T123005Z"
    assert caught.value.aside == aside and aside.read_bytes() == content
    assert not path.exists()
    assert durable.read_json(path, missing={}) == {}, "the next reader starts afresh"


def test_two_corrupt_copies_in_one_second_are_both_kept(tmp_path):
    path = tmp_path / "rules.json"
    for content in (b"{", b"["):
        path.write_bytes(content)
        with pytest.raises(CorruptFile):
            durable.read_json(path, missing={}, now=lambda: NOW)
    kept = sorted(p.read_bytes() for p in tmp_path.glob("rules.json.corrupt-*"))
    assert kept == [b"[", b"{"]


def test_update_json_writes_nothing_when_the_change_refuses(tmp_path):
    path = durable.write_json(tmp_path / "tokens.json", ["a"])

    def refuse(items):
        raise LookupError("no such token")

    with pytest.raises(LookupError):
        durable.update_json(path, refuse, missing=[])
    assert json.loads(path.read_text()) == ["a"]


def test_update_json_sets_a_corrupt_file_aside_instead_of_overwriting_it(tmp_path):
    path = tmp_path / "receipt-links.json"
    path.write_text("{broken")
    with pytest.raises(CorruptFile):
        durable.update_json(path, lambda d: {**d, "k": "v"}, missing={}, now=lambda: NOW)
    assert (tmp_path / "receipt-links.json.corrupt-20261129T123005Z").read_text() == "{broken"
    assert durable.update_json(path, lambda d: {**d, "k": "v"}, missing={}) == {"k": "v"}


def _append(path, value):
    durable.update_json(path, lambda items: [*items, value], missing=[])


def test_twenty_threads_updating_one_file_keep_every_update(tmp_path):
    path = tmp_path / "shared.json"
    start = threading.Barrier(WORKERS)

    def work(i):
        start.wait()
        _append(path, i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(json.loads(path.read_text())) == list(range(WORKERS))
    assert leftovers(tmp_path) == []


def bump_many(path, who, times):
    """Append `times` entries as process `who` (runs in a child process)."""
    for i in range(times):
        _append(path, f"{who}-{i}")


def test_two_processes_updating_one_file_keep_every_update(tmp_path):
    path = tmp_path / "shared.json"
    spawn = multiprocessing.get_context("spawn")
    children = [
        spawn.Process(target=bump_many, args=(path, who, PROCESS_BUMPS)) for who in ("a", "b")
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
    assert [child.exitcode for child in children] == [0, 0]
    kept = json.loads(path.read_text())
    expected = [f"{who}-{i}" for who in ("a", "b") for i in range(PROCESS_BUMPS)]
    assert sorted(kept) == sorted(expected)
