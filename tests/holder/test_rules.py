"""The rules file: absent means ask, saved owner-only, a broken file says how to recover."""

import pytest

from wallet.consent.policy import Policy, Shape
from wallet.errors import InputError
from wallet.holder.rules import RulesFile


def test_no_file_means_ask_every_time(tmp_path):
    assert RulesFile(tmp_path).load() == Policy()


def test_saved_rules_come_back_and_only_the_owner_reads_them(tmp_path):
    rules = RulesFile(tmp_path / "wallet")
    policy = Policy(firms={"conn-1": "trusted"}).add_shape(Shape("age", "approve"))
    rules.save(policy)
    assert rules.load() == policy
    assert oct(rules.path.stat().st_mode & 0o777) == "0o600"
    assert oct(rules.path.parent.stat().st_mode & 0o777) == "0o700"
    assert '"version": 1' in rules.path.read_text()


@pytest.mark.parametrize(("text", "message"), [("{", "not valid JSON"), ('{"version": 3}', "3")])
def test_a_broken_file_is_reported(tmp_path, text, message):
    rules = RulesFile(tmp_path)
    rules.path.write_text(text)
    with pytest.raises(InputError, match=message):
        rules.load()


def test_twenty_rules_added_at_once_are_all_kept(tmp_path):
    import threading

    rules = RulesFile(tmp_path)
    start = threading.Barrier(20)

    def add(i):
        start.wait()
        rules.update(lambda policy: policy.add_shape(Shape(f"rule-{i}", "ask")))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(s.id for s in rules.load().shapes) == sorted(f"rule-{i}" for i in range(20))


def test_a_broken_file_is_set_aside_not_replaced(tmp_path):
    rules = RulesFile(tmp_path)
    rules.path.write_text("{")
    with pytest.raises(InputError, match="set aside"):
        rules.update(lambda policy: policy.set_firm("conn-1", "trusted"))
    assert [p.read_text() for p in tmp_path.glob("disclosure-rules.json.corrupt-*")] == ["{"]
    assert rules.load() == Policy()
