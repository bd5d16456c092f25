"""The durable queue: atomic writes, order, de-duplication, quotas, crash leftovers."""

import errno
import os

import pytest

from wallet.inbox.envelope import parse
from wallet.inbox.errors import (
    BadRequest,
    InboxError,
    QuotaExceeded,
    StorageFull,
    StoreFailed,
    UnknownPerson,
    UnknownRecipient,
)
from wallet.inbox.store import InboxStore, Limits, Pending

from .envelopes import HOLDER_KID, WIRE, envelope, reserialised

PERSON = "p" * 24
TARGET = "http://127.0.0.1:9"


def opened(root, **kwargs):
    store = InboxStore.open(root, **kwargs)
    store.register(PERSON, TARGET)
    store.register_keys(PERSON, [HOLDER_KID])
    return store


def accept_new(store, **kwargs):
    item, new = store.accept(PERSON, parse(envelope(**kwargs), WIRE))
    assert new
    return item


def test_envelopes_come_back_in_arrival_order_after_reopening(tmp_path):
    store = opened(tmp_path)
    bodies = [envelope() for _ in range(5)]
    for body in bodies:
        store.accept(PERSON, parse(body, WIRE))
    again = InboxStore.open(tmp_path)
    assert [again.read(PERSON, q) for q in again.pending(PERSON)] == bodies
    assert again.target(PERSON) == TARGET


def test_same_envelope_twice_is_queued_once(tmp_path):
    store = opened(tmp_path)
    body = parse(envelope(), WIRE)
    assert store.accept(PERSON, body)[1] is True
    assert store.accept(PERSON, body) == (None, False)
    assert store.stats(PERSON).count == 1


def test_the_same_envelope_reserialised_is_still_a_duplicate(tmp_path):
    store = opened(tmp_path)
    body = envelope()
    assert store.accept(PERSON, parse(body, WIRE))[1] is True
    assert store.accept(PERSON, parse(reserialised(body), WIRE)) == (None, False)


def test_envelope_for_keys_the_agent_never_registered_is_refused(tmp_path):
    store = opened(tmp_path)
    with pytest.raises(UnknownRecipient):
        store.accept(PERSON, parse(envelope(kids=("somebody-else",)), WIRE))
    item, new = store.accept(PERSON, parse(envelope(kids=("somebody-else", HOLDER_KID)), WIRE))
    assert new and item.kid == HOLDER_KID
    assert store.stats(PERSON).count == 1


def test_registered_keys_survive_a_restart_and_are_added_not_replaced(tmp_path):
    store = opened(tmp_path)
    assert store.register_keys(PERSON, ["k2" * 10, HOLDER_KID]) == (1, 2)
    assert store.register_keys(PERSON, []) == (0, 2)
    assert InboxStore.open(tmp_path).keys(PERSON) == {HOLDER_KID, "k2" * 10}


@pytest.mark.parametrize("kids", ["a-string", [5], [""], ["has space"], ["x" * 300], None])
def test_malformed_keys_are_refused(tmp_path, kids):
    with pytest.raises(BadRequest):
        opened(tmp_path).register_keys(PERSON, kids)


def test_too_many_keys_are_refused_and_the_known_ones_kept(tmp_path):
    store = opened(tmp_path, limits=Limits(max_keys=3))
    store.register_keys(PERSON, ["k1" * 10, "k2" * 10])
    with pytest.raises(QuotaExceeded):
        store.register_keys(PERSON, ["k3" * 10, "k4" * 10])
    assert len(InboxStore.open(tmp_path).keys(PERSON)) == 3


def test_a_corrupt_key_file_is_set_aside_not_replaced(tmp_path):
    opened(tmp_path)
    (tmp_path / PERSON / "keys.json").write_text('["half')
    again = InboxStore.open(tmp_path, clock=lambda: 1234.0)
    assert again.keys(PERSON) == set()
    assert (tmp_path / PERSON / "keys.json.corrupt-1234").read_text() == '["half'


def test_delivered_envelope_is_refused_as_duplicate_even_after_restart(tmp_path):
    store = opened(tmp_path)
    body = parse(envelope(), WIRE)
    item, _ = store.accept(PERSON, body)
    store.mark_delivered(PERSON, item)
    assert store.stats(PERSON) == Pending(0, 0, 0)
    assert InboxStore.open(tmp_path).accept(PERSON, body) == (None, False)


@pytest.mark.parametrize(
    ("limits", "sizes", "refused_at"),
    [
        (Limits(max_count=3), [10, 10, 10, 10], 3),
        (Limits(max_bytes=1500), [100, 100, 800, 100], 2),
        (Limits(max_count=100, max_bytes=10**6), [10] * 5, None),
    ],
)
def test_quota_refuses_new_envelopes_and_keeps_queued_ones(tmp_path, limits, sizes, refused_at):
    store = opened(tmp_path, limits=limits)
    accepted = []
    for i, size in enumerate(sizes):
        if i == refused_at:
            with pytest.raises(QuotaExceeded):
                store.accept(PERSON, parse(envelope(ciphertext_bytes=size), WIRE))
            break
        accepted.append(accept_new(store, ciphertext_bytes=size))
    assert store.pending(PERSON) == accepted


OTHER_KID = "kid-of-another-connection"


@pytest.mark.parametrize(
    ("limits", "flood", "refused_at"),
    [
        (Limits(per_key_count=3), [10] * 5, 3),
        (Limits(per_key_bytes=4000), [1000] * 5, 2),
    ],
)
def test_one_connection_fills_only_its_own_share(tmp_path, limits, flood, refused_at):
    store = opened(tmp_path, limits=limits)
    store.register_keys(PERSON, [OTHER_KID])
    for i, size in enumerate(flood):
        junk = parse(envelope(kids=(OTHER_KID,), ciphertext_bytes=size), WIRE)
        if i >= refused_at:
            with pytest.raises(QuotaExceeded, match="connection's share"):
                store.accept(PERSON, junk)
        else:
            store.accept(PERSON, junk)
    accept_new(store)  # the person's other connections still get through
    again = InboxStore.open(tmp_path, limits=limits)  # the shares are known after a restart
    with pytest.raises(QuotaExceeded):
        again.accept(PERSON, parse(envelope(kids=(OTHER_KID,), ciphertext_bytes=flood[0]), WIRE))
    assert again.stats(PERSON).count == refused_at + 1


def test_crash_leftovers_are_removed_and_unknown_files_ignored(tmp_path):
    store = opened(tmp_path)
    kept = accept_new(store)
    delivered = accept_new(store)
    queue = tmp_path / PERSON / "queue"
    (queue / ".tmp-000000000009-half-written").write_bytes(b'{"protec')
    (queue / "notes.txt").write_text("not ours")
    # a crash after recording delivery but before unlinking the file
    (tmp_path / PERSON / "delivered.log").write_text(delivered.digest + "\n" + "ab12")
    again = InboxStore.open(tmp_path)
    assert again.pending(PERSON) == [kept]
    assert sorted(p.name for p in queue.iterdir()) == sorted([kept.name, "notes.txt"])
    assert (tmp_path / PERSON / "delivered.log").read_text().endswith("\n")


def test_next_envelope_after_restart_sorts_after_the_queued_ones(tmp_path):
    store = opened(tmp_path)
    first = accept_new(store)
    second = accept_new(InboxStore.open(tmp_path))
    assert second.seq > first.seq
    assert InboxStore.open(tmp_path).pending(PERSON) == [first, second]


def failing_write(code):
    def write(fd, data):
        raise OSError(code, os.strerror(code))

    return write


@pytest.mark.parametrize(
    ("code", "error"),
    [(errno.ENOSPC, StorageFull), (errno.EDQUOT, StorageFull), (errno.EIO, StoreFailed)],
)
def test_failed_disk_write_refuses_envelope_and_leaves_queue_intact(tmp_path, code, error):
    accept_new(opened(tmp_path))
    store = InboxStore.open(tmp_path, write=failing_write(code))
    before = store.pending(PERSON)
    with pytest.raises(error):
        store.accept(PERSON, parse(envelope(), WIRE))
    assert store.pending(PERSON) == before
    assert InboxStore.open(tmp_path).pending(PERSON) == before
    assert not [p for p in (tmp_path / PERSON / "queue").iterdir() if p.name.startswith(".tmp")]


def test_queue_files_are_owner_only(tmp_path):
    item = accept_new(opened(tmp_path))
    assert (tmp_path / PERSON / "queue" / item.name).stat().st_mode & 0o077 == 0
    assert tmp_path.stat().st_mode & 0o077 == 0


def test_failure_record_survives_restart_and_is_counted(tmp_path):
    store = opened(tmp_path, clock=lambda: 1000.0)
    item = accept_new(store)
    record = store.record_failure(PERSON, item, 400, "cannot unpack", lambda n: 5.0 * n)
    assert (record["attempts"], record["next_at"]) == (1, 1005.0)
    again = InboxStore.open(tmp_path)
    assert again.failure(PERSON, item)["status"] == 400
    assert again.stats(PERSON).failed == 1


@pytest.mark.parametrize("person_id", ["short", "../../etc/passwd" + "x" * 10, "a" * 24])
def test_unknown_or_malformed_person_ids_are_refused(tmp_path, person_id):
    store = opened(tmp_path)
    with pytest.raises(UnknownPerson):
        store.stats(person_id)


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1:8030", "https://127.0.0.1:8030", "http://127.0.0.1", "file:///x"]
)
def test_delivery_target_must_be_loopback_http(tmp_path, target):
    with pytest.raises(InboxError, match="loopback only"):
        InboxStore.open(tmp_path).register(PERSON, target)


@pytest.mark.parametrize("target", ["http://[::1", "http://127.0.0.1:port", 5, None])
def test_malformed_delivery_targets_are_bad_requests(tmp_path, target):
    with pytest.raises(BadRequest):
        InboxStore.open(tmp_path).register(PERSON, target)
