"""Each of the wallet's own files, found corrupt: reported or held safe, set aside, never replaced.

One row per file named in issue #15.7 that is read back: what reading it does when it
is not valid JSON ("raises": `CorruptFile` naming the file and where it went;
"safe": a cache or a safe default is used and the problem logged), then a write
succeeds beside the copy set aside, which still holds the damaged bytes.
"""

import datetime

import pytest

from wallet.durable import CorruptFile
from wallet.flows.revocation import StatusCache
from wallet.history.log import Entry
from wallet.holder import receipt_book, terms_view
from wallet.holder.autobackup import SCHEDULE_FILE, ScheduledBackups
from wallet.holder.rules import RULES_FILE, RulesFile
from wallet.holder.tokens import TokenStore
from wallet.pricing import store

WHEN = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)
DAMAGED = '{"half": "a file'


def entry():
    return Entry(WHEN.isoformat(), "sent", "Bank", id="e1")


ROWS = {
    # name: (file, read, write, outcome of the read)
    "prices": (
        store.FILE_NAME,
        lambda d: store.load(d),
        lambda d: store.save(d, store.DEFAULT),
        "raises",
    ),
    "rules": (
        RULES_FILE,
        lambda d: RulesFile(d).load(),
        lambda d: RulesFile(d).update(lambda policy: policy),
        "raises",
    ),
    "API tokens": (
        "api-tokens.json",
        lambda d: TokenStore(d / "api-tokens.json").list(),
        lambda d: TokenStore(d / "api-tokens.json").create("script"),
        "raises",
    ),
    "receipt links": (
        receipt_book.LINKS,
        lambda d: receipt_book.links(d),
        lambda d: receipt_book.link(d, entry(), "r-1"),
        "raises",
    ),
    "automatic backup schedule": (
        SCHEDULE_FILE,
        lambda d: ScheduledBackups(None, d, now=lambda: WHEN).load(),
        None,
        "raises",
    ),
    "no-terms rule": (
        terms_view.RULE_FILE,
        lambda d: terms_view.load_rule(d),
        lambda d: terms_view.save_rule(d, "rules"),
        "safe",  # held for the person: "ask"
    ),
    "revocation status cache": (
        "revocation-status.json",
        lambda d: StatusCache(d / "revocation-status.json").load(),
        lambda d: StatusCache(d / "revocation-status.json").update(lambda s: s),
        "safe",  # a cache: the next check fills it again
    ),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_a_corrupt_file_is_set_aside_with_its_bytes_and_never_replaced(tmp_path, name):
    file_name, read, write, outcome = ROWS[name]
    (tmp_path / file_name).write_text(DAMAGED)
    if outcome == "raises":
        with pytest.raises(CorruptFile) as raised:
            read(tmp_path)
        assert file_name in str(raised.value) and ".corrupt-" in str(raised.value)
    else:
        read(tmp_path)
    [aside] = tmp_path.glob(f"{file_name}.corrupt-*")
    assert aside.read_text() == DAMAGED
    if write is not None:
        write(tmp_path)
        assert (tmp_path / file_name).read_text() != DAMAGED
        assert aside.read_text() == DAMAGED
