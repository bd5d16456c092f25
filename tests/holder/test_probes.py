"""The predicates each firm asked, and the rules' guard against probing (table-driven)."""

import datetime
import random
import threading

import pytest

from wallet.consent import policy as rules
from wallet.consent import probing, request_checks
from wallet.consent.policy import Decision, Policy, Shape
from wallet.errors import InputError
from wallet.flows.matching import Candidate
from wallet.holder import probes
from wallet.holder.probes import ProbeBook

BIRTH = "birthdate_dateint"
TODAY = datetime.date.today()


def dateint(day):
    return int(day.strftime("%Y%m%d"))


def born(years, days):
    """A date of birth `years` and `days` before today."""
    return TODAY.replace(year=TODAY.year - years) - datetime.timedelta(days=days)


def request(*predicates, attrs=None):
    """A proof request with predicates (name, p_type, p_value)."""
    return {
        "name": "Check",
        "requested_attributes": attrs or {},
        "requested_predicates": {
            f"p{i}": {"name": n, "p_type": t, "p_value": v}
            for i, (n, t, v) in enumerate(predicates)
        },
    }


def options(req, value):
    """Every predicate answerable by one credential holding `value`."""
    cand = Candidate("cred-1", {BIRTH: str(value)}, "s", "cd", None, frozenset())
    return {ref: [cand] for ref in req["requested_predicates"]}


def test_a_request_is_recorded_once_and_its_own_predicates_are_not_earlier(tmp_path):
    book = ProbeBook(tmp_path)
    req = request((BIRTH, "<=", 20000101))
    assert book.ask("px-1", "conn-a", "Firm A", req) == {BIRTH: []}
    assert book.ask("px-1", "conn-a", "Firm A", req) == {BIRTH: []}
    assert book.earlier("conn-a", "Firm A", BIRTH, told=False) == [("<=", 20000101)]
    assert book.earlier("conn-a", "Firm A", BIRTH) == []  # not acted on: the firm knows nothing
    book.told("px-1")
    assert book.earlier("conn-a", "Firm A", BIRTH) == [("<=", 20000101)]
    assert book.earlier("conn-a", "Firm A", BIRTH, exclude="px-1") == []
    assert book.ask("px-2", "conn-a", "Firm A", req) == {BIRTH: [("<=", 20000101)]}


@pytest.mark.parametrize(
    ("connection", "firm", "counts"),
    [
        ("conn-a", "Firm A", True),  # the same firm on the same connection
        ("conn-a", "Firm B", True),  # another firm sharing the connection
        ("conn-z", "Firm A", True),  # the same firm on another connection
        ("conn-z", "Firm B", False),  # someone else entirely
        ("", "", False),  # a connectionless request with no name matches nothing
    ],
)
def test_earlier_predicates_add_up_across_a_connection_and_a_firm_name(
    tmp_path, connection, firm, counts
):
    book = ProbeBook(tmp_path)
    book.ask("px-1", "conn-a", "Firm A", request((BIRTH, ">=", 19900101)))
    book.told("px-1")
    earlier = book.ask("px-2", connection, firm, request((BIRTH, "<=", 19950101)))
    assert earlier[BIRTH] == ([(">=", 19900101)] if counts else [])


def test_twenty_firms_asking_at_once_lose_no_record(tmp_path):
    book = ProbeBook(tmp_path)
    threads = [
        threading.Thread(
            target=book.ask,
            args=(f"px-{i}", "conn-a", "Firm A", request((BIRTH, ">=", 19900101 + i))),
        )
        for i in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(book.earlier("conn-a", "Firm A", BIRTH, told=False)) == 20


def test_beyond_the_limit_nothing_more_is_answered_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(probes, "LIMIT", 3)
    book = ProbeBook(tmp_path)
    for i in range(5):
        book.ask(f"px-{i}", "c", "F", request((BIRTH, ">=", 19000101 + 10000 * i)))
        book.told(f"px-{i}")
    assert len(book.earlier("c", "F", BIRTH)) == 3
    req = request((BIRTH, "<=", 20500101))
    earlier = book.ask("px-9", "c", "F", req)
    found = probes.narrowings(earlier, req, options(req, 19900415), {})
    assert [n.automatic for n in found] == [False]


@pytest.mark.parametrize(
    ("earlier", "new", "widths", "automatic"),
    [
        ([], [("<=", 20000101)], None, True),  # one threshold: both sides unbounded
        ([], [(">=", 19900101), ("<=", 19900301)], None, False),  # two months apart
        ([], [(">=", 19900101), ("<=", 19920301)], None, True),  # two years apart
        ([(">=", 19900101)], [("<=", 19900601)], None, False),  # with the earlier: 5 months
        ([(">=", 19900101)], [("<=", 19900601)], {BIRTH: 100}, True),  # the rule allows it
        ([(">=", 19900101)], [("<=", 19930101)], None, True),  # three years
    ],
)
def test_narrowing_is_automatic_only_when_both_outcomes_leave_the_width(
    earlier, new, widths, automatic
):
    req = request(*[(BIRTH, t, v) for t, v in new])
    for value in (19900415, 19950415):  # either side of the new thresholds: same decision
        found = probes.narrowings({BIRTH: earlier}, req, options(req, value), {}, widths)
        assert [n.automatic for n in found] == [automatic]


def _meet(answered):
    found = probing.Interval()
    for p_type, p_value in answered:
        found = found.meet(probing.constraint(p_type, p_value, True))
    return found


def probe(book, value, thresholds, policy, guard=True):
    """Run a probing firm against the rules' decision; return what the firm deduces."""
    answered = []
    for i, threshold in enumerate(thresholds):
        req = request((BIRTH, "<=", threshold))
        decision = rules.evaluate(policy, req, "conn-probe")
        earlier = book.ask(f"px-{i}", "conn-probe", "Probing firm", req)
        if guard:
            checked = request_checks.check(req)
            found = probes.narrowings(
                earlier, req, options(req, value), {}, rules.widths(policy, decision)
            )
            decision = rules.guard(decision, checked, found)
        if decision.action == "approve":
            book.told(f"px-{i}")
        if decision.action == "approve" and probing.holds("<=", threshold, value):
            answered.append(("<=", threshold))  # the firm gets a valid proof
        # a failed proof (value above the threshold) or silence: the firm learns the rest
        elif decision.action == "approve":
            answered.append((">", threshold))
    return _meet(answered)


AGE_RULE = Policy(
    firms={"conn-probe": "trusted"},
    shapes=(Shape("age-checks", "approve", "trusted", True, frozenset({BIRTH})),),
)


def bisect_thresholds(value, steps=24):
    """A bisection over days, moving on the answers the firm gets (here: the truth)."""
    lo, hi = datetime.date(1900, 1, 1), TODAY
    for _ in range(steps):
        mid = lo + (hi - lo) // 2
        yield dateint(mid)
        if dateint(mid) >= value:
            hi = mid
        else:
            lo = mid + datetime.timedelta(days=1)


@pytest.mark.parametrize("value", [dateint(born(36, 40)), dateint(born(19, 200)), 19280229])
def test_a_bisecting_firm_learns_no_interval_narrower_than_a_year(tmp_path, value):
    learned = probe(ProbeBook(tmp_path), value, list(bisect_thresholds(value)), AGE_RULE)
    assert probing.width(learned, "dateint") >= probing.DATE_WIDTH_DAYS
    assert learned.contains(value)


def test_without_the_guard_bisection_finds_the_exact_day(tmp_path):
    value = dateint(born(36, 40))
    learned = probe(
        ProbeBook(tmp_path), value, list(bisect_thresholds(value)), AGE_RULE, guard=False
    )
    assert learned == probing.Interval(value, value)


@pytest.mark.parametrize("seed", range(5))
def test_a_firm_with_random_thresholds_learns_no_interval_narrower_than_a_year(tmp_path, seed):
    chance = random.Random(seed)
    value = dateint(born(chance.randint(18, 80), chance.randint(0, 364)))
    span = (datetime.date(1940, 1, 1), TODAY)
    days = (span[1] - span[0]).days
    thresholds = [
        dateint(span[0] + datetime.timedelta(chance.randint(0, days))) for _ in range(200)
    ]
    learned = probe(ProbeBook(tmp_path), value, thresholds, AGE_RULE)
    assert probing.width(learned, "dateint") >= probing.DATE_WIDTH_DAYS
    assert learned.contains(value)


def test_a_rule_with_its_own_narrowest_width_is_kept_to_it(tmp_path):
    value = dateint(born(36, 40))
    wide = Policy(
        firms={"conn-probe": "trusted"},
        shapes=(Shape("age", "approve", "trusted", True, frozenset({BIRTH}), {BIRTH: 3 * 365}),),
    )
    learned = probe(ProbeBook(tmp_path), value, list(bisect_thresholds(value)), wide)
    assert probing.width(learned, "dateint") >= 3 * 365


@pytest.mark.parametrize(
    ("narrowest", "ok"),
    [
        (None, True),
        ({BIRTH: 730}, True),
        ({BIRTH: 0}, False),
        ({BIRTH: -5}, False),
        ({BIRTH: "730"}, False),
        ({BIRTH: True}, False),
        ({BIRTH: 10**12}, False),
        ([730], False),
        ("a year", False),
    ],
)
def test_a_rules_narrowest_width_is_validated(narrowest, ok):
    shape = {"id": "age", "then": "approve", "when": {"predicates_only": True}}
    if narrowest is not None:
        shape["narrowest"] = narrowest
    document = {"version": 1, "shapes": [shape]}
    if not ok:
        with pytest.raises(InputError):
            rules.parse_policy(document)
        return
    parsed = rules.parse_policy(document)
    assert rules.parse_policy(parsed.to_json()) == parsed
    assert parsed.shapes[0].narrowest == (narrowest or {})


APPROVE = Decision("approve", "shape:age", "Your rule 'age' applies.")
HIDDEN = {
    "requested_attributes": {},
    "requested_predicates": {
        "adult": {
            "name": BIRTH,
            "p_type": "<=",
            "p_value": 20000101,
            "restrictions": [{"cred_def_id": "cd", "attr::address_city::value": "Villeurbanne"}],
        }
    },
}
BOTH = {
    "requested_attributes": {"b": {"name": BIRTH}},
    "requested_predicates": {"adult": {"name": BIRTH, "p_type": "<=", "p_value": 20000101}},
}
NARROW = probing.Narrowing(BIRTH, "dateint", probing.Interval(), probing.Interval(), False, 3)


@pytest.mark.parametrize(
    ("decision", "req", "narrowings", "rule"),
    [
        (APPROVE, HIDDEN, [], "condition:address_city"),
        (APPROVE, BOTH, [], f"conflict:{BIRTH}"),
        (APPROVE, request((BIRTH, "<=", 20000101)), [NARROW], f"probing:{BIRTH}"),
        (APPROVE, request((BIRTH, "<=", 20000101)), [], "shape:age"),
        (Decision("decline", "firm:x", "blocked"), HIDDEN, [NARROW], "firm:x"),
        (Decision("approve", rules.PROPOSAL_RULE, "yours"), HIDDEN, [NARROW], "proposal:yours"),
    ],
)
def test_the_guard_asks_the_person_when_answering_would_tell_too_much(
    decision, req, narrowings, rule
):
    guarded = rules.guard(decision, request_checks.check(req), narrowings)
    assert guarded.rule == rule
    assert guarded.action == ("ask" if rule != decision.rule else decision.action)
