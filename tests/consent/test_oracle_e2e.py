"""End to end with real agents: a probing firm learns no narrower interval than the rule
allows; hidden conditions are never answered by a rule; a conflict is shown unanswerable;
malformed requests are set aside while the others still list and can be answered."""

import datetime
import random
import time
import uuid

import pytest
from web.attached import attached_wallet

from wallet import durable, scenario
from wallet.consent import probing
from wallet.flows import present
from wallet.holder.probes import ProbeBook

pytestmark = pytest.mark.e2e

NOW = datetime.datetime.now(datetime.UTC)
BIRTH = "birthdate_dateint"
STEPS = 16  # main today: the exact date in about this many requests


@pytest.fixture(scope="module")
def wallet(seeded_world, tmp_path_factory):
    """The wallet over the seeded holder, with the README's example rule for the verifier.

    "Answer at once: predicate-only requests about Date of birth from trusted firms."
    """
    home = tmp_path_factory.mktemp("wallet")
    with attached_wallet(seeded_world, home, lambda: NOW) as found:
        person = found[0]
        firm = _firm(seeded_world)
        trusted = person.post(
            "/settings/rules/firms", {f"firm-{firm}": "trusted"}, form_page="/settings/"
        )
        assert trusted.status_code == 302
        rule = {
            "id": "age-checks",
            "then": "approve",
            "firm": "trusted",
            "predicates_only": "on",
            "attributes": BIRTH,
        }
        assert (
            person.post("/settings/rules/shapes", rule, form_page="/settings/").status_code == 302
        )
        try:
            yield found
        finally:
            for waiting in present.requests(seeded_world.holder):  # leave the world as found
                present.decline(seeded_world.holder, waiting.pres_ex_id, "test over")


def _firm(world):
    return next(
        c["connection_id"]
        for c in world.holder.admin.get("/connections")["results"]
        if c.get("their_label") == "Tessera demo verifier"
    )


def _born():
    values = scenario.load_person()
    return int(next(v[BIRTH] for v in values.values() if BIRTH in v))


def _identity(world):
    return [{"cred_def_id": world.cred_defs["national_id"]}]


def _ask(world, service, proof_request):
    """Send a request; return (verifier pres_ex_id, holder pres_ex_id) once the rules ran."""
    pres_ex_id, thread_id = present.request_proof(
        world.verifier, world.verifier_conn, proof_request
    )
    held = present.wait_request(world.holder, thread_id)
    service.agent.wait(  # the wallet lists what its own hub has heard, forwarded from the world's
        lambda: service.waiting.index.ids("present_proof_v2_0"),
        lambda ids: held.pres_ex_id in ids,
        what=f"the wallet to hear of request {held.pres_ex_id}",
        topics=("present_proof_v2_0",),
    )
    responder = service.responders.rules.responder
    responder.submit(held)  # the webhook may be on its way: the responder queues it once
    responder.drain()
    return pres_ex_id, held.pres_ex_id


def _age(world, threshold, name="Age check"):
    return {
        "name": name,
        "version": "1.0",
        "requested_attributes": {},
        "requested_predicates": {
            "adult": {
                "name": BIRTH,
                "p_type": "<=",
                "p_value": threshold,
                "restrictions": _identity(world),
            }
        },
    }


def _probe(world, service, thresholds_of):
    """Run a probing firm; return (interval it can deduce, requests answered)."""
    value, book = _born(), ProbeBook(service.data_dir)
    learned, answered, seen = probing.Interval(), 0, {}
    for threshold in thresholds_of(seen):
        verifier_id, holder_id = _ask(world, service, _age(world, threshold))
        told = holder_id in _told(book)
        if not told:
            continue  # left to the person: a silence decided without the value
        truth = probing.holds("<=", threshold, value)
        if truth:
            assert present.wait_verified(world.verifier, verifier_id).verified
            answered += 1
        learned = learned.meet(probing.constraint("<=", threshold, truth))
        seen["proved" if truth else "refuted"] = threshold
    return learned, answered


def _told(book):
    rows = durable.read_json(book.path, missing={}).get("asked") or []
    return {r["ex"] for r in rows if r["told"]}


def _dateint(day):
    return int(day.strftime("%Y%m%d"))


def _bisect(seen):
    low, high = datetime.date(1900, 1, 1), NOW.date()
    for _ in range(STEPS):
        middle = low + (high - low) // 2
        yield _dateint(middle)
        if seen.get("proved") == _dateint(middle):
            high = middle
        else:  # proven false, or silence (a firm on main read silence as false)
            low = middle + datetime.timedelta(days=1)


def test_a_bisecting_firm_learns_no_narrower_interval_than_a_year(seeded_world, wallet):
    _, _, service = wallet
    learned, answered = _probe(seeded_world, service, _bisect)
    assert answered >= 1  # the rule does answer: the guard is not a blanket refusal
    assert probing.width(learned, "dateint") >= probing.DATE_WIDTH_DAYS
    print(
        f"bisection: {answered} answered, firm knows {learned}, "
        f"{probing.width(learned, 'dateint'):.0f} days wide"
    )


def test_a_firm_with_random_thresholds_learns_no_narrower_interval(seeded_world, wallet):
    _, _, service = wallet
    chance = random.Random(7)
    start = datetime.date(1940, 1, 1)
    days = (NOW.date() - start).days

    def thresholds(seen):
        for _ in range(STEPS):
            yield _dateint(start + datetime.timedelta(days=chance.randint(0, days)))

    learned, answered = _probe(seeded_world, service, thresholds)
    assert probing.width(learned, "dateint") >= probing.DATE_WIDTH_DAYS
    print(
        f"random: {answered} answered, firm knows {learned}, "
        f"{probing.width(learned, 'dateint'):.0f} days wide"
    )


def test_a_hidden_condition_is_not_answered_by_the_rule(seeded_world, wallet):
    person, _, service = wallet
    asked = _age(seeded_world, _dateint(NOW.date().replace(year=NOW.year - 18)), "Hidden")
    city = {**_identity(seeded_world)[0], "attr::address_city::value": "Villeurbanne"}
    asked["requested_predicates"]["adult"]["restrictions"] = [city]
    _, holder_id = _ask(seeded_world, service, asked)
    assert present.record(seeded_world.holder, holder_id).state == "request-received"
    page = person.client.get(f"/requests/{holder_id}").get_data(as_text=True)
    assert "only answerable if your city of residence is &#39;Villeurbanne&#39;" in page


def test_a_value_asked_revealed_and_proven_is_shown_unanswerable(seeded_world, wallet):
    person, _, service = wallet
    both = _age(seeded_world, _dateint(NOW.date().replace(year=NOW.year - 18)), "Both ways")
    both["requested_attributes"] = {"b": {"name": BIRTH, "restrictions": _identity(seeded_world)}}
    _, holder_id = _ask(seeded_world, service, both)
    page = person.client.get(f"/requests/{holder_id}").get_data(as_text=True)
    assert "both as a value and as a proven fact" in page
    assert 'id="approve"' not in page


def test_malformed_requests_are_set_aside_and_another_is_still_answered(seeded_world, wallet):
    person, _, service = wallet
    empty = {
        "name": "Empty",
        "version": "1.0",
        "requested_attributes": {},
        "requested_predicates": {},
    }
    bad_date = _age(seeded_world, 2147483648, "Bad date")
    normal = {
        "name": "Nationality",
        "version": "1.0",
        "requested_attributes": {
            "n": {"name": "nationality", "restrictions": _identity(seeded_world)}
        },
        "requested_predicates": {},
    }
    aside = [_ask(seeded_world, service, r)[1] for r in (empty, bad_date)]
    verifier_id, good = _ask(seeded_world, service, normal)
    listing = person.client.get("/requests/").get_data(as_text=True)
    assert all(f"/requests/{i}" in listing for i in [*aside, good])
    for pres_ex_id in aside:
        page = person.client.get(f"/requests/{pres_ex_id}")
        assert page.status_code == 200 and 'id="decline"' in page.get_data(as_text=True)
    page = person.client.get(f"/requests/{good}").get_data(as_text=True)
    digest = page.split('name="digest" value="')[1].split('"')[0]
    sent = person.post(
        f"/requests/{good}/approve", {"digest": digest}, form_page=f"/requests/{good}"
    )
    assert sent.status_code == 302
    assert present.wait_verified(seeded_world.verifier, verifier_id).verified
    declined = person.post(
        f"/requests/{aside[0]}/decline",
        {"code": "other", "reason": "malformed"},
        form_page=f"/requests/{aside[0]}",
    )
    assert declined.status_code == 302
    assert present.wait_abandoned(seeded_world.verifier, _verifier_of(seeded_world, aside[0]))
    assert service.history.entries()[-1].action == "declined"


def _verifier_of(world, holder_id):
    thread = present.record(world.holder, holder_id).thread_id
    found = world.verifier.admin.get("/present-proof-2.0/records", thread_id=thread)["results"]
    return found[0]["pres_ex_id"]


def _dif_request(world):
    """A present-proof 2.0 request in the DIF format only: one the wallet does not read."""
    definition = {
        "id": str(uuid.uuid4()),
        "input_descriptors": [
            {
                "id": "any-credential",
                "schema": [{"uri": "https://www.w3.org/2018/credentials#VerifiableCredential"}],
            }
        ],
    }
    body = {
        "connection_id": world.verifier_conn,
        "presentation_request": {
            "dif": {
                "options": {"challenge": str(uuid.uuid4()), "domain": "verifier.tessera.localhost"},
                "presentation_definition": definition,
            }
        },
    }
    return world.verifier.admin.post("/present-proof-2.0/send-request", body)


def _holder_record(world, thread_id, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        found = world.holder.admin.get("/present-proof-2.0/records", thread_id=thread_id)
        if found["results"]:
            return found["results"][0]
        assert time.monotonic() < deadline, f"no request of thread {thread_id} at the holder"
        time.sleep(0.2)


def test_a_format_the_wallet_cannot_read_is_set_aside_and_declined(seeded_world, wallet):
    person, _, service = wallet
    sent = _dif_request(seeded_world)
    holder_id = _holder_record(seeded_world, sent["thread_id"])["pres_ex_id"]
    responder = service.responders.rules.responder
    responder.submit(present.record(seeded_world.holder, holder_id))  # the rules skip it
    responder.drain()
    listing = person.client.get("/requests/")
    assert listing.status_code == 200 and f"/requests/{holder_id}" in listing.get_data(True)
    page = person.client.get(f"/requests/{holder_id}")
    assert page.status_code == 200 and 'id="decline"' in page.get_data(as_text=True)
    declined = person.post(
        f"/requests/{holder_id}/decline",
        {"code": "other", "reason": "unreadable format"},
        form_page=f"/requests/{holder_id}",
    )
    assert declined.status_code == 302
    assert present.wait_abandoned(seeded_world.verifier, sent["pres_ex_id"])
    assert service.history.entries()[-1].action == "declined"
