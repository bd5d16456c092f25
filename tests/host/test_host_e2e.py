"""A hosted Tessera end to end: three people, real agents on PostgreSQL, firms on loopback.

The operator test is here: after three people sign up, receive credentials, answer a
request under agreed terms (a receipt), set rules and prices, the whole database
(`pg_dump`), every file under the host's data directory and the cluster's, and the host's
logs hold none of their values, passphrases or the firms' labels; a canary written in
clear by the test itself is found, so the search is shown to work.
"""

import datetime
import logging
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from wallet import scenario
from wallet.flows import present
from wallet.flows import receipts as receipt_flow
from wallet.flows import terms as terms_client
from wallet.flows.negotiation import Terms, offer_terms
from wallet.host.run import running
from wallet.pricing import store
from wallet.pricing.money import Money
from wallet.receipts.keys import KeyRing

from .conftest import host_ports, new_host_db
from .hosting import Browser, host_config, person_of, person_world

pytestmark = pytest.mark.e2e

FIRM_LABELS = ("Tessera demo issuer", "Tessera demo verifier")
CANARY = "Canary-Xylophone-Quokka-4411"
PEOPLE = {
    "ana.h": {
        "passphrase": "Quartz lantern 7741 over hills",
        "national_id": {
            "given_name": "Oriane",
            "family_name": "Szczepanowska",
            "birthdate_dateint": "19710412",
            "nationality": "FR",
            "address_country": "FR",
            "address_city": "Quillebeuf-sur-Seine",
        },
        "employment_income": {
            "employer": "Halvorsen Tidewater GmbH",
            "job_title": "Lighthouse keeper",
            "annual_income": "918273645",
            "employed_since_dateint": "20020301",
        },
    },
    "bo.k": {
        "passphrase": "Marmalade ferry 2093 at dusk",
        "national_id": {
            "given_name": "Thaddeus",
            "family_name": "Okonkwo-Lindqvist",
            "birthdate_dateint": "19830917",
            "nationality": "FR",
            "address_country": "FR",
            "address_city": "Plouguerneau-Kerlouan",
        },
        "employment_income": {
            "employer": "Brightwater Cartography SA",
            "job_title": "Map engraver",
            "annual_income": "827364519",
            "employed_since_dateint": "20110615",
        },
    },
    "cy.m": {
        "passphrase": "Velvet orchard 5528 in rain",
        "national_id": {
            "given_name": "Philippa",
            "family_name": "Abernethy-Zoltan",
            "birthdate_dateint": "19950123",
            "nationality": "FR",
            "address_country": "FR",
            "address_city": "Saint-Girons-en-Marensin",
        },
        "employment_income": {
            "employer": "Quixotic Aerostat Works",
            "job_title": "Balloon rigger",
            "annual_income": "736451928",
            "employed_since_dateint": "20190801",
        },
    },
}
TERMS = Terms(
    "identity-check", "consent", "P30D", False, Money("EUR", Decimal("9.00")), "Age check"
)


def secrets_of_everyone():
    """Every value the operator must not be able to read."""
    found = set(FIRM_LABELS)
    for person in PEOPLE.values():
        found.add(person["passphrase"])
        for schema in ("national_id", "employment_income"):
            found.update(
                v for k, v in person[schema].items() if k not in ("nationality", "address_country")
            )
    return sorted(found)


@pytest.fixture(scope="module")
def hosted(pg_cluster, firms, tmp_path_factory):
    """One host instance with everyone signed up, issued, connected; its log in its home."""
    url, agent_password, name = new_host_db(pg_cluster)
    home = tmp_path_factory.mktemp("host")
    log = logging.FileHandler(home / "host.log")
    log.setLevel(logging.INFO)
    logging.getLogger().addHandler(log)
    root_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    config = host_config(home, url, agent_password, firms, host_ports())
    try:
        with running(config, 0) as (instance, base):
            instance.db_name = name
            people = {}
            for who, data in PEOPLE.items():
                browser = Browser(base)
                assert browser.sign_up(who, data["passphrase"]).status_code == 302
                person = person_of(instance, browser)
                world = person_world(firms, person.service.agent)
                cred_ids = scenario.issue_person(
                    world, {k: data[k] for k in ("national_id", "employment_income")}
                )
                people[who] = {
                    "browser": browser,
                    "person": person,
                    "world": world,
                    "creds": cred_ids,
                }
            instance.test_people = people
            instance.base = base
            yield instance
    finally:
        logging.getLogger().removeHandler(log)
        logging.getLogger().setLevel(root_level)
        log.close()


def _approve_with_terms(firms, entry, browser):
    """The verifier asks with terms above the person's price; the person approves on the web."""
    world, holder = entry["world"], entry["person"].service.agent
    firm_keys = KeyRing(firms.settings.secrets_dir, "verifier")
    firm_key = firm_keys.for_connection(world.verifier_conn).did
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    pres_ex_id, thread = present.request_proof(world.verifier, world.verifier_conn, request)
    record = present.wait_request(holder, thread)
    offer_terms(world.verifier, world.verifier_conn, TERMS, firm_key, thread)
    terms_client.wait_message(
        world.verifier, kind="response", match=lambda m: m["body"]["decision"] == "accept"
    )
    path = f"/requests/{record['pres_ex_id']}"
    screen = browser.get(path).text
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', screen).group(1)
    assert browser.post(f"{path}/approve", {"digest": digest}, form_page=path).status_code == 302
    assert present.wait_verified(world.verifier, pres_ex_id).verified
    incoming = terms_client.wait_message(
        world.verifier, kind="receipt", connection_id=world.verifier_conn
    )
    receipt_flow.countersign_received(world.verifier, firm_keys, incoming)
    return record["pres_ex_id"]


def test_the_operator_can_read_nothing(hosted, firms, pg_cluster):
    for entry in hosted.test_people.values():
        browser = entry["browser"]
        token = browser.api_token()
        api = {"Authorization": f"Bearer {token}"}
        assert browser.get("/api/v1/prices", headers=api).status_code == 404  # none set yet
        # The person's own rule names every term the firm will offer: it may accept them.
        rule = {"purposes": ["identity-check"], "max_retention": "P30D", "onward_sharing": False}
        prices = {**store.DEFAULT, "attribute": "0.70", "auto_accept": rule}
        assert browser.http.put("/api/v1/prices", json=prices, headers=api).status_code == 200
        rules = browser.get("/api/v1/rules", headers=api).json()
        rules["attributes"] = {"family_name": "never", "employer": "ask"}
        assert browser.http.put("/api/v1/rules", json=rules, headers=api).status_code == 200
        entry["answered"] = _approve_with_terms(firms, entry, browser)
        history = browser.get("/history/").text
        assert "Tessera demo verifier" in history
        receipts = browser.get("/receipts/").text
        assert "receipt" in receipts.lower()
        entry["token"] = token

    home = hosted.config.home
    with open(home / "canary.txt", "w") as handle:
        handle.write(f"written in clear by the test: {CANARY}\n")
    hosted.db.run(f"COMMENT ON TABLE accounts IS 'canary {CANARY}'")
    dump = subprocess.run(
        [str(pg_cluster.bindir / "pg_dump"), "--no-owner", pg_cluster.url(hosted.db_name)],
        capture_output=True,
        check=True,
        env={"PGOPTIONS": "-c bytea_output=escape"},
    ).stdout
    people_dbs = [
        subprocess.run(
            [
                str(pg_cluster.bindir / "pg_dump"),
                "--no-owner",
                pg_cluster.url(e["person"].account.db_name),
            ],
            capture_output=True,
            check=True,
            env={"PGOPTIONS": "-c bytea_output=escape"},
        ).stdout
        for e in hosted.test_people.values()
    ]
    haystacks = {"pg_dump (host)": dump}
    haystacks.update({f"pg_dump (person {i})": d for i, d in enumerate(people_dbs)})
    for root in (home, Path(pg_cluster.directory)):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                haystacks[str(path)] = path.read_bytes()

    def search(needle):
        return [where for where, data in haystacks.items() if needle.encode() in data]

    assert any("canary.txt" in w for w in search(CANARY)), "the search cannot find a clear value"
    assert any(w.startswith("pg_dump (host)") for w in search(CANARY)), "nor in the dump"
    assert any("host.log" in w for w in search("wallet ")), "the host's log was not searched"
    leaks = {needle: search(needle) for needle in secrets_of_everyone()}
    assert {k: v for k, v in leaks.items() if v} == {}


def _values_of(who):
    person = PEOPLE[who]
    values = [person["passphrase"]]
    for schema in ("national_id", "employment_income"):
        values += [
            v for k, v in person[schema].items() if k not in ("nationality", "address_country")
        ]
    return values


def _their_ids(entry):
    holder = entry["person"].service.agent
    return {
        "cred_id": next(iter(entry["creds"].values())),
        "cred_ex_id": issue_records(holder)[0].cred_ex_id,
        "pres_ex_id": entry["answered"],
        "receipt_id": receipt_flow.receipts(holder)[0]["receipt_id"],
        "token_id": entry["person"].app.extensions["tokens"].list()[0]["id"],
        "shape_id": "shape-1",
        "filename": "style.css",
        "unknown": f"requests/{entry['answered']}/nowhere",  # the API's JSON 404 catch-all
    }


def issue_records(holder):
    """Return the holder's credential exchange records."""
    from wallet.flows import issue

    return issue.records(holder, role="holder")


SKIPPED_ENDPOINTS = {"auth.lock", "auth.setup", "auth.unlock", "auth.restore", "static"}


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_nobody_reaches_anybody_else_s_wallet_on_any_route(hosted):
    mine, theirs = hosted.test_people["ana.h"], hosted.test_people["bo.k"]
    ids = _their_ids(theirs)
    their_values = [v for v in _values_of("bo.k") if len(v) > 4]
    their_creds = len(present_creds(theirs))
    browser, api = mine["browser"], {"Authorization": f"Bearer {mine['token']}"}
    csrf = browser.token("/settings/")
    tried = []
    for rule, method in _routes(mine["person"].app):
        path = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
        if rule.rule.startswith("/api/"):
            answer = browser.http.request(method, path, headers=api, json={})
        else:
            data = {"csrf_token": csrf} if method != "GET" else None
            answer = browser.http.request(method, path, data=data)
        tried.append((method, rule.rule, answer.status_code))
        leaked = [v for v in their_values if v in answer.text]
        assert not leaked, f"{method} {path} showed {leaked}"
        if rule.arguments - {"shape_id"} and method == "GET":
            assert answer.status_code in (400, 404), f"{method} {path}: {answer.status_code}"
    assert len(tried) > 40
    # Their wallet is untouched: every credential, their token, their receipt.
    assert len(present_creds(theirs)) == their_creds
    theirs_api = {"Authorization": f"Bearer {theirs['token']}"}
    assert theirs["browser"].get("/api/v1/credentials", headers=theirs_api).status_code == 200
    assert theirs["browser"].get(f"/receipts/{ids['receipt_id']}").status_code == 200


@pytest.mark.parametrize(
    ("cookie", "token", "expected"),
    [
        ("tampered", None, 302),  # a cookie changed by hand: back to the login page
        ("none", None, 302),
        (None, "tsr_" + "x" * 43, 401),  # a made-up token
        (None, "tampered", 401),  # a real token with one character changed
    ],
)
def test_changed_cookies_and_tokens_are_refused(hosted, cookie, token, expected):
    mine = hosted.test_people["ana.h"]
    real = mine["browser"].http.cookies.get("session")
    cookies = (
        {"session": real[:-3] + ("aaa" if real[-3:] != "aaa" else "bbb")}
        if cookie == "tampered"
        else {}
    )
    headers = {}
    if token == "tampered":
        headers["Authorization"] = (
            "Bearer " + mine["token"][:-2] + ("zz" if mine["token"][-2:] != "zz" else "yy")
        )
    elif token:
        headers["Authorization"] = f"Bearer {token}"
    import httpx

    with httpx.Client(base_url=hosted.base, cookies=cookies, follow_redirects=False) as other:
        path = "/api/v1/credentials" if token else "/credentials/"
        answer = other.get(path, headers=headers)
    assert answer.status_code == expected
    if expected == 302:
        assert answer.headers["location"] == "/login"


def present_creds(entry):
    """Return the person's stored credentials."""
    from wallet.flows import held

    return held.credentials(entry["person"].service.agent)


def test_past_the_cap_sign_up_is_busy_and_creates_nothing(hosted):
    before = hosted.db.one("SELECT count(*) FROM accounts")[0]
    browser = Browser(hosted.base)
    answer = browser.sign_up("dee.n", "Another long passphrase 99")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "60"
    assert "busy" in answer.text and "try again in a minute" in answer.text
    assert hosted.db.one("SELECT count(*) FROM accounts")[0] == before


def test_postgres_restarted_while_people_are_logged_in(hosted, pg_cluster):
    entry = hosted.test_people["cy.m"]
    browser, api = entry["browser"], {"Authorization": f"Bearer {entry['token']}"}
    before = browser.get("/api/v1/history", headers=api).json()
    assert before["results"]
    pg_cluster.stop()
    try:
        down = browser.get("/settings/")
        assert down.status_code == 503
        assert "database is not answering" in down.text and "Nothing was lost" in down.text
    finally:
        pg_cluster.start()
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)
    while browser.get("/settings/").status_code != 200:
        assert datetime.datetime.now() < deadline, "the host did not recover"
    assert browser.get("/api/v1/history", headers=api).json() == before
    assert len(present_creds(entry)) == 2
    world = entry["world"]
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    _, thread = present.request_proof(world.verifier, world.verifier_conn, request)
    record = present.wait_request(entry["person"].service.agent, thread, timeout=90)
    assert record["pres_ex_id"]


def test_a_logged_out_person_gets_messages_once_at_next_login(hosted):
    entry = hosted.test_people["bo.k"]
    browser, world = entry["browser"], entry["world"]
    inbox_id = entry["person"].account.inbox_id
    assert browser.log_out().status_code == 302
    assert hosted.person(entry["person"].account.id) is None
    request = scenario.age_income_request(world.cred_defs, datetime.date.today())
    _, thread = present.request_proof(world.verifier, world.verifier_conn, request)
    waiting = lambda: hosted.db.one(  # noqa: E731
        "SELECT count(*) FROM inbox_queue WHERE inbox_id = %s", (inbox_id,)
    )[0]
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)
    while waiting() < 1:
        assert datetime.datetime.now() < deadline, "the request never reached the inbox"
    assert browser.log_in("bo.k", PEOPLE["bo.k"]["passphrase"]).status_code == 302
    holder = person_of(hosted, browser).service.agent
    record = present.wait_request(holder, thread, timeout=60)
    same = [r for r in present.records(holder) if r.thread_id == thread]
    assert len(same) == 1 and record["pres_ex_id"] == same[0].pres_ex_id
    assert waiting() == 0
    assert browser.get(f"/requests/{same[0].pres_ex_id}").status_code == 200
