"""Twenty browsers or scripts writing at once through the wallet app: every write kept.

The app runs over the fake agent (tests/web/fake_agent.py); each writer has a test
client of its own carrying the person's session, and all start at one barrier.
"""

import json
import re
import threading

from web.conftest import PASSPHRASE
from web.fake_agent import INCOME, NATIONAL_ID

from wallet.history import HistoryLog
from wallet.holder.rules import RulesFile
from wallet.pricing import store

WRITERS = 20


def at_once(work):
    """Run `work(i)` in WRITERS threads released together; return their results in order."""
    start = threading.Barrier(WRITERS)
    results = [None] * WRITERS

    def run(i):
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def browser(app, person):
    """Return a new test client holding the person's session cookie."""
    own = app.test_client()
    own.set_cookie("session", person.client.get_cookie("session").value)
    return own


def api_token(person):
    page = person.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    return re.search(r'<code id="new-token">([^<]+)</code>', page.get_data(as_text=True))[1]


def no_temporary_files(directory):
    return [
        p.name for p in directory.iterdir() if ".tmp" in p.name and not p.name.endswith(".lock")
    ]


def test_twenty_price_lists_put_at_once_all_answer_200_and_one_whole_list_stays(
    unlocked, app, service, figures
):
    headers = {"Authorization": f"Bearer {api_token(unlocked)}"}
    doc = dict(store.DEFAULT)  # a fresh wallet has no prices to read back
    bodies = [{**doc, "attribute": f"0.{i + 10:02d}"} for i in range(WRITERS)]
    statuses = at_once(
        lambda i: (
            app.test_client().put("/api/v1/prices", json=bodies[i], headers=headers).status_code
        )
    )
    saved = json.loads((service.data_dir / store.FILE_NAME).read_text())
    assert saved in [store.load(service.data_dir).to_json()]  # whole, and what load reads
    assert saved["attribute"] in {b["attribute"] for b in bodies}
    assert unlocked.client.get("/prices/").status_code == 200
    assert no_temporary_files(service.data_dir) == []
    figures(
        "PUT /api/v1/prices (a whole list each; one stays)",
        WRITERS,
        WRITERS,
        statuses.count(200),
        1,
    )
    assert statuses == [200] * WRITERS


def test_twenty_price_forms_posted_at_once_all_save_and_one_whole_list_stays(
    unlocked, app, service, figures
):
    token = unlocked.token("/prices/")
    statuses = at_once(
        lambda i: (
            browser(app, unlocked)
            .post(
                "/prices/",
                data={
                    "csrf_token": token,
                    "currency": "EUR",
                    "attribute": f"0.{i + 10:02d}",
                    "predicate": "0.10",
                    "floor_ratio": "0.8",
                },
            )
            .status_code
        )
    )
    saved = store.load(service.data_dir).to_json()
    assert saved["attribute"] in {f"0.{i + 10:02d}" for i in range(WRITERS)}
    assert no_temporary_files(service.data_dir) == []
    figures(
        "POST /prices/ (the price form; one list stays)", WRITERS, WRITERS, statuses.count(302), 1
    )
    assert statuses == [302] * WRITERS


def test_twenty_rules_added_at_once_are_all_kept(unlocked, app, service, figures):
    token = unlocked.token("/settings/")
    statuses = at_once(
        lambda i: (
            browser(app, unlocked)
            .post(
                "/settings/rules/shapes",
                data={"csrf_token": token, "id": f"rule-{i}", "then": "ask", "firm": "trusted"},
            )
            .status_code
        )
    )
    kept = {s.id for s in RulesFile(service.data_dir).load().shapes}
    figures(
        "POST /settings/rules/shapes (add rule)",
        WRITERS,
        WRITERS,
        statuses.count(302),
        len(kept & {f"rule-{i}" for i in range(WRITERS)}),
    )
    assert statuses == [302] * WRITERS
    assert kept == {f"rule-{i}" for i in range(WRITERS)}


def test_twenty_tokens_made_at_once_are_all_kept_and_all_work(unlocked, app, figures):
    form = unlocked.token("/settings/")

    def make(i):
        page = browser(app, unlocked).post(
            "/settings/tokens", data={"csrf_token": form, "name": f"script {i}"}
        )
        found = re.search(r'<code id="new-token">([^<]+)</code>', page.get_data(as_text=True))
        return page.status_code, found and found[1]

    made = at_once(make)
    listed = {t["name"] for t in app.extensions["tokens"].list()}
    working = [
        token
        for _, token in made
        if token
        and app.test_client()
        .get("/api/v1/rules", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 200
    ]
    figures(
        "POST /settings/tokens (new API token)",
        WRITERS,
        WRITERS,
        sum(1 for status, _ in made if status == 200),
        len(working),
    )
    assert [status for status, _ in made] == [200] * WRITERS
    assert listed == {f"script {i}" for i in range(WRITERS)}
    assert len(working) == WRITERS


def test_twenty_requests_approved_at_once_are_all_sent_and_all_in_the_history(
    unlocked, app, fake, service, figures
):
    fake.ids = [fake.add_credential(NATIONAL_ID), fake.add_credential(INCOME)]
    asked = [fake.add_request() for _ in range(WRITERS)]
    form = unlocked.token(f"/requests/{asked[0]}")
    digests = [
        re.search(r'name="digest" value="([0-9a-f]+)"', page)[1]
        for page in (unlocked.client.get(f"/requests/{a}").get_data(as_text=True) for a in asked)
    ]
    statuses = at_once(
        lambda i: (
            browser(app, unlocked)
            .post(f"/requests/{asked[i]}/approve", data={"csrf_token": form, "digest": digests[i]})
            .status_code
        )
    )
    sent = [p for _, p, _ in fake.posted if p.endswith("/send-presentation")]
    entries = history_reread(service)
    figures(
        "POST /requests/<id>/approve (history line each)",
        WRITERS,
        WRITERS,
        statuses.count(302),
        len({e.id for e in entries}),
    )
    assert statuses == [302] * WRITERS
    assert sorted(sent) == sorted(
        f"/present-proof-2.0/records/{a}/send-presentation" for a in asked
    )
    assert len({e.id for e in entries}) == WRITERS and all(e.action == "sent" for e in entries)


def history_reread(service):
    """Every entry, read by a fresh reader that checks the whole chain and its anchor."""
    log = HistoryLog(service.history.directory, PASSPHRASE, scrypt_n=2**10)
    try:
        return log.entries()
    finally:
        log.close()
