"""Receipt links: every link kept when threads write at once; a corrupt file set aside."""

import threading

import pytest

from wallet.durable import CorruptFile
from wallet.history import Entry
from wallet.holder import receipt_book

WRITERS = 3
EACH = 10


def entry(writer, n):
    """Return a history entry of its own for writer `writer`, answer `n`."""
    return Entry(
        "2026-11-29T12:00:00+00:00", "sent", "Bank", f"Check {writer}-{n}", ["nationality"]
    )


def test_receipt_links_survive_three_threads_writing_at_once(tmp_path):
    start = threading.Barrier(WRITERS)

    def write(writer):
        start.wait()
        for n in range(EACH):
            receipt_book.link(tmp_path, entry(writer, n), f"r-{writer}-{n}")

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = receipt_book.links(tmp_path)
    assert len(found) == WRITERS * EACH
    for w in range(WRITERS):
        for n in range(EACH):
            assert found[receipt_book.entry_key(entry(w, n))] == f"r-{w}-{n}"


@pytest.mark.parametrize("content", ["{not json", '{"a": "r-1"}{"b": "r-2"}'])
def test_a_corrupt_links_file_is_reported_and_kept_aside_not_overwritten(tmp_path, content):
    (tmp_path / receipt_book.LINKS).write_text(content)
    with pytest.raises(CorruptFile, match="set aside"):
        receipt_book.link(tmp_path, entry(0, 0), "r-new")
    [aside] = tmp_path.glob(f"{receipt_book.LINKS}.corrupt-*")
    assert aside.read_text() == content
    receipt_book.link(tmp_path, entry(0, 0), "r-new")
    assert receipt_book.links(tmp_path) == {receipt_book.entry_key(entry(0, 0)): "r-new"}
