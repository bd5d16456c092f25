"""The history's tail: dropped lines are tampering, a half-written last line is set aside."""

import asyncio
import datetime

import pytest
from aries_askar import Store

from wallet.history import HistoryLog
from wallet.history.anchor import Head, StoreAnchor
from wallet.history.log import HistoryError

N = 2**10
WHEN = datetime.datetime(2026, 11, 29, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(params=["file", "store"])
def make_log(request, tmp_path):
    """Open logs on one history; anchored beside it ("file") or in an Askar store ("store")."""
    opened = []
    raw_key = Store.generate_raw_key()
    if request.param == "store":
        loop = asyncio.new_event_loop()
        uri = f"sqlite://{tmp_path / 'wallet.db'}"
        loop.run_until_complete(
            loop.run_until_complete(Store.provision(uri, "raw", raw_key)).close()
        )
        loop.close()

    def make(passphrase="right passphrase"):
        anchor = StoreAnchor(uri, raw_key, "raw") if request.param == "store" else None
        log = HistoryLog(
            tmp_path / "history", passphrase, clock=lambda: WHEN, scrypt_n=N, anchor=anchor
        )
        opened.append(log)
        return log

    yield make
    for log in opened:
        log.close()


def filled(make_log, count=8):
    log = make_log()
    log.extend([("sent", f"Firm {n}", {}) for n in range(count)])
    return log


def rewrite(log, lines):
    log.path.write_text("".join(line + "\n" for line in lines))


@pytest.mark.parametrize("dropped", [1, 5])
def test_lines_dropped_from_the_end_are_reported_as_tampering(make_log, dropped):
    log = filled(make_log)
    rewrite(log, log.path.read_text().splitlines()[:-dropped])
    for reader in (log, make_log()):
        with pytest.raises(
            HistoryError, match=f"ends {dropped} line\\(s\\) short of where it reached"
        ):
            reader.entries()
    with pytest.raises(HistoryError):
        log.append("sent", "Firm after")  # nothing is appended to a cut history


def test_every_line_dropped_is_reported_as_tampering(make_log):
    log = filled(make_log, 3)
    log.path.write_text("")
    with pytest.raises(HistoryError, match="ends 3 line"):
        make_log().entries()


def test_a_history_swapped_for_another_chain_under_the_same_key_is_reported(make_log, tmp_path):
    log = filled(make_log, 4)
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    (other_dir / "history.salt").write_bytes((log.directory / "history.salt").read_bytes())
    other = HistoryLog(other_dir, "right passphrase", clock=lambda: WHEN, scrypt_n=N)
    other.extend([("declined", f"Shop {n}", {}) for n in range(4)])
    log.path.write_bytes(other.path.read_bytes())  # as long, and every line opens
    with pytest.raises(HistoryError, match="Line 4 of your history is not the one it had"):
        make_log().entries()


def test_an_old_copy_restored_with_its_anchor_is_caught_only_by_the_store(make_log, request):
    log = filled(make_log, 3)
    old_log = log.path.read_bytes()
    anchor_file = log.directory / "history.anchor"
    old_anchor = anchor_file.read_bytes() if anchor_file.exists() else None
    log.extend([("sent", "Later", {})])
    log.path.write_bytes(old_log)  # every file of the history folder rolled back together
    if old_anchor is not None:
        anchor_file.write_bytes(old_anchor)
    if request.node.callspec.params["make_log"] == "store":
        with pytest.raises(HistoryError, match="ends 1 line"):
            make_log().entries()
    else:  # the file anchor's limit (README): it went back with the history
        assert len(make_log().entries()) == 3


@pytest.mark.parametrize("line", [0, -1])
def test_an_edited_line_is_reported(make_log, line):
    log = filled(make_log, 4)
    lines = log.path.read_text().splitlines()
    lines[line] = lines[line].replace('"c": "', '"c": "AAAA')
    rewrite(log, lines)
    with pytest.raises(HistoryError, match="cannot be opened"):
        make_log().entries()


@pytest.mark.parametrize("torn", [1, 20, -2])
def test_a_half_written_last_line_is_set_aside_and_the_history_goes_on(make_log, torn):
    log = filled(make_log, 3)
    whole, anchored = log.path.read_bytes(), log.anchor.load()
    log.append("sent", "Lost in the crash")
    last = log.path.read_bytes()[len(whole) :]
    # The wallet stopped during that append: half a line, and the anchor not moved yet.
    log.path.write_bytes(whole + last[:torn])
    log.anchor.save(anchored)
    reader = make_log()
    assert [e.to for e in reader.entries()] == ["Firm 0", "Firm 1", "Firm 2"]
    (aside,) = log.path.parent.glob("history.log.torn-*")
    assert aside.read_bytes() == last[:torn]
    assert aside.name in reader.notices[0] and "half-written" in reader.notices[0]
    reader.append("sent", "After the crash")
    assert [e.to for e in make_log().entries()][-2:] == ["Firm 2", "After the crash"]


def test_a_stop_between_the_append_and_the_anchor_is_caught_up_by_the_next_reader(make_log):
    log = filled(make_log, 3)
    anchored = log.anchor.load()
    log.append("sent", "Appended, not yet anchored")
    log.anchor.save(anchored)  # the wallet stopped right after the line was written
    assert len(make_log().entries()) == 4  # the line is whole: kept, and now anchored
    assert log.anchor.load().count == 4
    lines = log.path.read_text().splitlines()
    rewrite(log, lines[:-1])
    with pytest.raises(HistoryError, match="ends 1 line"):
        make_log().entries()


def test_the_anchor_never_moves_back(make_log):
    log = filled(make_log, 5)
    stale = make_log()
    stale.entries()  # five lines seen
    log.extend([("sent", "More", {})])
    stale._anchor(Head(5, bytes(32)))  # a reader that saw five lines, late
    assert log.anchor.load().count == 6


def test_a_last_line_missing_only_its_line_end_is_kept(make_log):
    log = filled(make_log, 3)
    anchored = log.anchor.load()
    log.append("sent", "Whole but for the line end")
    log.path.write_bytes(log.path.read_bytes()[:-1])
    log.anchor.save(anchored)
    reader = make_log()
    assert [e.to for e in reader.entries()][-1] == "Whole but for the line end"
    assert reader.notices == [] and not list(log.path.parent.glob("history.log.torn-*"))
    reader.append("sent", "Next")
    assert [e.to for e in make_log().entries()][-2:] == ["Whole but for the line end", "Next"]


def test_an_edited_last_line_missing_its_line_end_is_still_tampering(make_log):
    log = filled(make_log, 3)
    lines = log.path.read_text().splitlines()
    lines[-1] = lines[-1].replace('"c": "', '"c": "AAAA')
    log.path.write_text("\n".join(lines))  # no line end after the edited last line
    with pytest.raises(HistoryError, match="line 3 cannot be opened"):
        make_log().entries()
