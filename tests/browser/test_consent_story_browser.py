"""What a person sees of #19's points 3 to 10 in Chromium, against real agents and the
verifier console: a smaller answer, a threshold they cannot prove, a firm's refusal in its
own words, no false alarm, dates and labels in words, the receipt as sentences, a request
link pasted into Connections, and two credentials of one type."""

import datetime
import html
import re

import pytest
from console.conftest import make_console
from console.test_terms_form import GOOD as TERMS

from wallet import scenario
from wallet.console.app import close_app
from wallet.flows import issue, present
from wallet.flows import terms as client

from . import test_wallet_browser as first_run

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect
wallet = first_run.wallet  # the first-run fixture: set up, connect, accept credentials

PERSON = scenario.load_person()
LOAN = "Loan pre-check (reveals income)"  # the console's over-asking template "loan_income_raw"
# A loan firm's terms: a credit check needs a fact about the income, not the employer.
LOAN_TERMS = {**TERMS, "purpose": "credit-check", "purpose_text": "Loan", "legal_basis": "contract"}
NEVER_SHOWN = ("birthdate_dateint", "address_city", "employed_since_dateint")


@pytest.fixture(autouse=True)
def _console_errors_of_this_test(page):
    """Each test checks the browser console errors of its own steps only (the page is shared)."""
    page.console_errors.clear()


def _words(day):
    """A date, or a YYYYMMDD value, as a person writes it: "15 April 1990"."""
    if isinstance(day, str):
        day = datetime.date(int(day[:4]), int(day[4:6]), int(day[6:]))
    return f"{day.day} {day:%B} {day.year}"


@pytest.fixture(scope="module")
def console(wallet, tmp_path_factory):
    """The verifier firm's console (a test client), trusting the issuer, on today's clock."""
    firm = make_console(
        "verifier",
        wallet.verifier,
        tmp_path_factory.mktemp("console"),
        TRUSTED_ISSUERS=[wallet.issuer_did],
        CLOCK=datetime.date.today,
    )
    yield firm
    close_app(firm.app)


def _holder(wallet_server):
    return wallet_server[1].extensions["holder_service"].require()


def _firm(world):
    return world.verifier.admin.status_config()["default_label"]


def _send(console, world, key, terms=None, **fields):
    """The firm sends its request template `key` (with `terms`, a console form's fields, if
    given) to the person; return (pres_ex_id, thread)."""
    form = {"mode": "connection", "connection_id": world.verifier_conn, **(terms or {}), **fields}
    sent = console.post(f"/verifier/requests/{key}", form)
    assert sent.status_code == 302, sent.text
    pres_ex_id = sent.headers["Location"].rsplit("/", 1)[1]
    return pres_ex_id, present.record(world.verifier, pres_ex_id).thread_id


def _open(page, holder, thread, terms=False):
    """Open the consent screen of the request on `thread`; return (its id, the terms offer)."""
    record = present.wait_request(holder, thread)
    offer = None
    if terms:
        offer = client.wait_message(
            holder, kind="offer", match=lambda m: m["body"]["request_thread_id"] == thread
        )
    page.goto(f"/requests/{record['pres_ex_id']}")
    page.wait_for_selector("#who")
    return record["pres_ex_id"], offer


def _agree(page, world, offer):
    """The person accepts the firm's terms by their own click; the firm hears it."""
    with page.expect_navigation():  # back on the consent screen once the answer is sent
        page.click("#terms-answer button[value=accept]")
    client.wait_message(
        world.verifier,
        kind="response",
        thread_id=offer["thread_id"],
        match=lambda m: m["body"]["decision"] == "accept",
    )
    page.reload()
    page.wait_for_selector("#terms[data-status=agreed]")


def _approve(page, world, pres_ex_id):
    """The person approves the open consent screen; return the firm's verification."""
    page.click("#approve")
    page.wait_for_url("**/history/")
    result = present.wait_verified(world.verifier, pres_ex_id)
    assert result.verified
    return result


def _proposals(verifier):
    return {r.pres_ex_id for r in present.records(verifier, state="proposal-received")}


def _propose_income_at_least(page, threshold):
    """In "Answer with less", prove the income at least `threshold` instead of revealing it."""
    less = page.locator("#answer-with-less")
    expect(less).to_have_attribute("open", "")  # the request over-asks: the form is open
    income = less.locator("fieldset[data-name=annual_income]")
    income.locator("input[value=prove]").check()
    income.locator("input[name=threshold-annual_income]").fill(str(threshold))
    page.click("#propose")


def _new_proposal(verifier, before):
    """Wait for the person's smaller answer to reach the firm; return its record."""
    return verifier.wait(
        lambda: [
            r
            for r in present.records(verifier, state="proposal-received")
            if r.pres_ex_id not in before
        ],
        bool,
        what="the person's smaller answer",
        topics=present.TOPICS,
    )[0]


def test_a_smaller_answer_keeps_the_terms_and_the_name(page, wallet, wallet_server, console):
    """#19.3: the person agrees the terms, proves the income at least 30000 instead of
    revealing it; the firm accepts, and History names the smaller answer with its receipt."""
    world, holder = wallet, _holder(wallet_server)
    _, thread = _send(console, world, "loan_income_raw", LOAN_TERMS)
    _, offer = _open(page, holder, thread, terms=True)
    _agree(page, world, offer)
    before = _proposals(world.verifier)
    page.check("#answer-with-less input[name=keep-employer][value=keep]")
    _propose_income_at_least(page, 30000)
    page.wait_for_url("**/history/")

    proposal = _new_proposal(world.verifier, before)
    assert console.post(f"/verifier/proposals/{proposal.pres_ex_id}/accept").status_code == 302
    result = present.wait_verified(world.verifier, proposal.pres_ex_id)
    assert result.verified and set(result.revealed) == {"employer"}
    receipt = client.wait_message(
        world.verifier,
        kind="receipt",
        match=lambda m: m["body"]["receipt"]["proof_thread_id"] == proposal.thread_id,
    )
    page.goto("/history/")
    rows = page.locator("#history tbody tr", has_text=f"Sent: {LOAN} (smaller answer)")
    listed = rows.all_inner_texts()
    row = rows.first
    assert "your smaller answer, accepted by the firm" in row.inner_text()
    assert "proof-request" not in page.inner_text("main")
    link = row.locator(f"a[href$='/receipts/{receipt['receipt_id']}']")
    expect(link).to_have_count(1)
    link.click()  # the receipt carries the terms the person agreed for the replaced request
    page.wait_for_url(f"**/receipts/{receipt['receipt_id']}")
    assert f"{_firm(world)} pays you 0.10 EUR" in page.inner_text("#terms")
    assert page.console_errors == []
    assert len(listed) == 1, f"History lists one answer {len(listed)} times: {listed}"


def test_a_threshold_above_the_income_is_refused_and_nothing_is_sent(
    page, wallet, wallet_server, console
):
    """#19.4: proposing "income at least" more than the person earns is refused on the
    page; no proposal leaves and the request still waits."""
    world, holder = wallet, _holder(wallet_server)
    too_high = int(PERSON["employment_income"]["annual_income"]) + 10_000
    pres_ex_id, thread = _send(console, world, "loan_income_raw")
    request_id, _ = _open(page, holder, thread)
    before = _proposals(world.verifier)
    _propose_income_at_least(page, too_high)
    error = page.locator("#page-error")
    expect(error).to_contain_text(
        f"None of your credentials can prove your annual income is at least {too_high}"
    )
    assert "Pick a threshold your credential meets, or share the value." in error.inner_text()
    expect(page.locator("#approve")).to_be_visible()  # the request can still be answered
    assert present.record(holder, request_id).state == "request-received"
    assert present.record(world.verifier, pres_ex_id).state == "request-sent"
    assert _proposals(world.verifier) == before
    present.decline(holder, request_id, "test over")  # leave no request waiting


def test_a_declined_smaller_answer_shows_the_firm_s_own_words(page, wallet, wallet_server, console):
    """#19.5: the Requests page says the smaller answer waits, then that the firm declined
    it, quoting the reason the firm gave."""
    world, holder = wallet, _holder(wallet_server)
    reason = "We need your exact income for the loan file"
    _, thread = _send(console, world, "loan_income_raw")
    _open(page, holder, thread)
    before = _proposals(world.verifier)
    _propose_income_at_least(page, 30000)
    page.wait_for_url("**/history/")
    proposal = _new_proposal(world.verifier, before)

    label = _firm(world)
    page.goto("/requests/")
    waiting = page.locator("#proposals li[data-status=waiting]")
    expect(waiting).to_have_count(1)
    assert waiting.inner_text() == (
        f"{LOAN} (smaller answer) to {label}: waiting for {label} to accept or decline it."
    )
    declined = console.post(
        f"/verifier/proposals/{proposal.pres_ex_id}/decline", {"reason": reason}
    )
    assert declined.status_code == 302
    [mine] = [
        r for r in present.records(holder, role="prover") if r.thread_id == proposal.thread_id
    ]
    present.wait_abandoned(holder, mine.pres_ex_id)
    page.goto("/requests/")
    shown = page.locator("#proposals li[data-status=declined]", has_text=reason)
    expect(shown).to_have_count(1)
    assert shown.inner_text() == (
        f"{LOAN} (smaller answer) to {label}: {label} declined it: “{reason}”. Nothing was sent."
    )
    expect(page.locator("#proposals li[data-status=waiting]")).to_have_count(0)


def test_new_values_alone_raise_no_over_asking_alarm(page, wallet, wallet_server, console):
    """#19.7: a firm the person has answered before first asks for their country and city:
    said as information, not flagged as asking for more than it needs."""
    world, holder = wallet, _holder(wallet_server)
    pres_ex_id, thread = _send(console, world, "age_18", threshold_0="18")
    _open(page, holder, thread)
    _approve(page, world, pres_ex_id)  # an answer this firm has had before

    _, thread = _send(console, world, "resident")
    request_id, _ = _open(page, holder, thread)
    assert page.inner_text(".request-name") == "“Resident of a country”"
    advice = page.locator("#advice")
    assert advice.locator("h2").inner_text() == "This request looks proportionate"
    assert "may ask for more than it needs" not in page.inner_text("main")
    assert "A smaller answer" not in page.inner_text("#exposure")
    new = advice.locator("li.new").all_inner_texts()
    assert f"{_firm(world)} has not asked you for City of residence before." in new
    expect(page.locator("#answer-with-less")).not_to_have_attribute("open", "")
    present.decline(holder, request_id, "test over")  # leave no request waiting


def test_dates_and_labels_read_as_words(page, wallet, wallet_server, console):
    """#19.8: the consent screen, the history and the credential pages say "15 April 1990"
    and "Date of birth", never 19900415 or birthdate_dateint."""
    world, holder = wallet, _holder(wallet_server)
    identity, job = PERSON["national_id"], PERSON["employment_income"]
    born, since = identity["birthdate_dateint"], job["employed_since_dateint"]
    raw = (born, f"{born[:4]}-{born[4:6]}-{born[6:]}", since, *NEVER_SHOWN)
    pres_ex_id, thread = _send(console, world, "signup_overasking")
    _open(page, holder, thread)
    revealed = page.inner_text("section.revealed")
    assert f"City of residence: {identity['address_city']}" in revealed
    assert "Date of birth" in page.inner_text("#answer-with-less")
    consent = page.inner_text("main")
    for name in NEVER_SHOWN:
        assert name not in consent
    day_before = datetime.datetime.now(datetime.UTC).date()
    _approve(page, world, pres_ex_id)
    today = {_words(day_before), _words(datetime.datetime.now(datetime.UTC).date())}

    row = page.locator("#history tbody tr").first
    assert row.locator("td").first.inner_text().split(",")[0] in today
    what = row.inner_text()
    assert "Account sign-up (asks too much)" in what
    assert "Date of birth" in what and "City of residence" in what
    _never_in(page.inner_text("main"), raw)

    for kind, label, words in (
        ("National identity", "Date of birth", _words(born)),
        ("Employment and income", "Employed since", _words(since)),
    ):
        page.goto("/credentials/")
        page.locator("tbody a", has_text=kind).first.click()
        page.wait_for_url("**/credentials/*")
        assert page.locator("tr", has_text=label).inner_text().endswith(words)
        _never_in(page.inner_text("main"), raw)
    assert page.console_errors == []
    assert f"Date of birth: {_words(born)}" in revealed and born not in consent, revealed


def _never_in(text, raw):
    """Assert a page's text holds none of `raw` and no ISO date."""
    for value in raw:
        assert value not in text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)


def test_the_receipt_reads_as_sentences_with_hashes_for_auditors(
    page, wallet, wallet_server, console
):
    """#19.9: after an answer under agreed terms, the receipt page says who, when, what,
    why and for how much, that both signatures check out, and folds the hashes away."""
    world, holder = wallet, _holder(wallet_server)
    pres_ex_id, thread = _send(console, world, "age_18", TERMS, threshold_0="18")
    _, offer = _open(page, holder, thread, terms=True)
    _agree(page, world, offer)
    _approve(page, world, pres_ex_id)
    incoming = client.wait_message(
        world.verifier,
        kind="receipt",
        match=lambda m: m["body"]["receipt"]["proof_thread_id"] == thread,
    )
    receipt_id, receipt = incoming["receipt_id"], incoming["body"]["receipt"]
    client.wait_message(holder, kind="countersigned", receipt_id=receipt_id)

    page.goto("/history/")
    page.locator(f"#history a[href$='/receipts/{receipt_id}']").click()
    page.wait_for_url(f"**/receipts/{receipt_id}")
    label = _firm(world)
    issued = datetime.datetime.fromisoformat(receipt["issued_at"]).date()
    summary = page.inner_text("#receipt-summary")
    assert f"You shared with {label} on {_words(issued)}" in summary
    assert f"countersigned by {label}" in summary
    assert page.inner_text("#signatures") == "Both signatures check out."
    shared = page.inner_text("#shared")
    assert f"Nationality: {PERSON['national_id']['nationality']}" in shared
    assert "Proves you are at least 18" in shared
    terms = page.inner_text("#terms")
    assert "Wine shop" in terms and "30 days" in terms and f"{label} pays you 0.10 EUR" in terms

    fold = page.locator("#auditors")
    assert fold.get_attribute("open") is None  # closed until an auditor opens it
    expect(fold.locator("#receipt")).to_be_hidden()
    screen = page.inner_text("main")
    for hidden in (receipt["presentation_hash"], receipt_id, thread, "P30D", "age-check"):
        assert hidden not in screen
    fold.locator("summary", has_text="For auditors").click()
    expect(fold.locator("#receipt")).to_be_visible()
    table = fold.locator("#receipt").inner_text()
    assert receipt["presentation_hash"] in table and receipt_id in table and thread in table
    assert "tessera receipt verify FILE" in fold.inner_text()
    assert page.console_errors == []


def test_a_request_link_opens_the_request_and_back_says_what_became_of_it(page, wallet, console):
    """#19.10: the console's no-connection QR-code link pasted into Connections opens the
    request; the link cut short is refused in words; Back after approving shows the answer."""
    world = wallet
    shown = console.post("/verifier/requests/age_18", {"mode": "oob", "threshold_0": "18"})
    assert shown.status_code == 200, shown.text
    found = re.search(r'<textarea id="request-url"[^>]*>(.*?)</textarea>', shown.text, re.S)
    url = html.unescape(found.group(1)).strip()
    pres_ex_id = re.search(r"/verifier/results/([0-9a-f-]{36})", shown.text).group(1)

    page.goto("/connections/")
    page.fill("input[name=url]", url[: len(url) * 2 // 3])  # copied only in part
    page.click("text=Read invitation")
    assert "not a Tessera or DIDComm invitation link" in page.inner_text("#page-error")
    page.console_errors.clear()  # the refusal's own 400

    page.fill("input[name=url]", url)
    page.click("text=Read invitation")
    assert page.inner_text("#inviter") == _firm(world)
    assert "it carries a request to prove something" in page.inner_text("#request-link")
    page.click("button:has-text('Open the request')")
    page.wait_for_selector("#who")
    consent_url = page.url
    assert "/requests/" in consent_url
    assert page.inner_text(".request-name") == "“Age at least 18”"
    _approve(page, world, pres_ex_id)

    page.go_back()
    assert page.url == consent_url
    finished = page.locator("#finished")
    expect(finished).to_have_attribute("data-state", re.compile("presentation-sent|done"))
    assert page.inner_text("h1") == "You answered this request"
    assert "(“Age at least 18”) was sent; nothing more leaves" in finished.inner_text()
    expect(page.locator("#approve")).to_have_count(0)
    assert page.console_errors == []


# Last: it gives the person a second identity credential, which the tests above do not expect.
def test_two_ids_are_one_choice_and_combining_them_is_said(page, wallet, wallet_server):
    """#19.6: with a second National identity (another nationality), a request for
    nationality and age offers one choice between the two whole credentials, named apart;
    picking the second sends its nationality; combining them on purpose is said plainly."""
    world, holder = wallet, _holder(wallet_server)
    schema = world.schemas["national_id"]
    first = PERSON["national_id"]["nationality"]
    other = "DE" if first != "DE" else "IT"
    page.goto("/offers/")
    page.wait_for_selector("body[data-live=ready]", state="attached")
    issue.offer_credential(
        world.issuer,
        world.issuer_conn,
        world.cred_defs["national_id"],
        schema,
        dict(PERSON["national_id"], nationality=other),
    )
    page.locator("#live-offers a", has_text=schema.label).click()
    page.click("button:has-text('Accept')")
    page.wait_for_url("**/credentials/*")

    def ask():
        request = scenario.age_income_request(world.cred_defs, datetime.date.today())
        pres_ex_id, thread = present.request_proof(world.verifier, world.verifier_conn, request)
        _open(page, holder, thread)
        return pres_ex_id

    pres_ex_id = ask()
    whole = page.locator("fieldset[data-together=national_id] > label")
    expect(whole).to_have_count(2)
    names = whole.all_inner_texts()
    for nationality in (first, other):  # each named by the value that tells them apart
        assert len([n for n in names if f"(Nationality: {nationality})" in n]) == 1
    radios = page.locator("#consent input[type=radio]:visible")
    assert {radios.nth(i).get_attribute("name") for i in range(radios.count())} == {
        "together-national_id"
    }
    warning = page.locator("fieldset[data-together=national_id] p.combining")
    expect(warning).to_be_hidden()
    unpicked = whole.filter(has=page.locator("input:not(:checked)"))  # the list's order varies
    picked = other if f"(Nationality: {other})" in unpicked.inner_text() else first
    unpicked.locator("input").check()
    assert _approve(page, world, pres_ex_id).revealed == {"nationality": picked}

    pres_ex_id = ask()
    page.click("details.split summary:has-text('Use different credentials for different items')")
    expect(warning).to_be_hidden()
    page.check("input[name=split-national_id]")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(
        "You are combining two different National identity credentials in one answer"
    )
    split = page.locator("details.split")
    for referent, nationality in (("nationality", other), ("adult", first)):
        split.locator("label", has_text=f"(Nationality: {nationality})").locator(
            f"input[name=choice-{referent}]"
        ).check()
    assert _approve(page, world, pres_ex_id).revealed == {"nationality": other}
    assert page.console_errors == []
