"""Revocation status in the wallet: list and detail, check now, the timer, telling the person."""

import datetime

import pytest

from wallet.agent.admin import AdminClient
from wallet.agent.handle import Agent
from wallet.flows.revocation import StatusCache
from wallet.holder.backoff import Backoff
from wallet.holder.revocation import RevocationWatch
from wallet.holder.service import HolderService
from wallet.settings import Settings

from .conftest import TODAY
from .fake_agent import INCOME, NATIONAL_ID, FakeRunner
from .fake_inbox import FakeInbox, RevocableAcaPy

NOW = TODAY.timestamp()


@pytest.fixture
def fake():
    """The fake agent, with a revocable income credential and a national id that is not."""
    agent = RevocableAcaPy()
    agent.income = agent.add_revocable(INCOME)
    agent.national = agent.add_credential(NATIONAL_ID)
    return agent


def make_service(tmp_path, fake, clock, **kwargs):
    """Return a `HolderService` over `fake` and a fake inbox."""
    return HolderService.for_settings(
        Settings(home=tmp_path, port_offset=0),
        runner=FakeRunner(fake),
        clock=clock,
        wall_clock=lambda: TODAY,
        idle_timeout=600,
        backoff=Backoff(clock=clock),
        scrypt_n=2**10,
        inbox_client=FakeInbox(),
        **kwargs,
    )


@pytest.fixture
def service(tmp_path, fake, clock):
    """The service with no revocation timer: checks happen when the test says."""
    holder = make_service(tmp_path, fake, clock, revocation_interval=None)
    yield holder
    holder.lock()


def row(page, cred_id):
    """Return the table row of one credential."""
    start = page.index(f'id="cred-{cred_id}"')
    return page[start : page.index("</tr>", start)]


def test_list_shows_each_status_and_when_it_was_checked(unlocked, client, fake):
    page = client.get("/credentials/").get_data(as_text=True)
    assert "not checked yet" in row(page, fake.income)
    assert "valid (cannot be revoked)" in row(page, fake.national)
    unlocked.post("/credentials/check", form_page="/credentials/")
    page = client.get("/credentials/").get_data(as_text=True)
    assert "status-valid" in row(page, fake.income) and "2026-11-29 12:00 UTC" in page
    assert fake.revocation_checks == [(fake.income, str(int(NOW)))]


def test_check_now_needs_the_csrf_token(unlocked, client, fake):
    assert client.post("/credentials/check").status_code == 400
    assert fake.revocation_checks == []


def test_newly_revoked_is_told_once_on_the_next_page(unlocked, client, fake):
    unlocked.post("/credentials/check", form_page="/credentials/")
    fake.revoked.add(fake.income)
    response = unlocked.post("/credentials/check", form_page="/credentials/")
    assert response.status_code == 302
    page = client.get("/offers/").get_data(as_text=True)
    # bad news looks like bad news: red and announced, not the green "done" notice
    assert 'role="alert">(unknown issuer) has revoked your Employment and income' in page
    assert 'class="flash" role="status">(unknown issuer) has revoked' not in page
    again = client.get("/offers/").get_data(as_text=True)
    assert "has revoked your" not in again
    listing = client.get("/credentials/").get_data(as_text=True)
    assert "revoked by its issuer" in row(listing, fake.income)


def test_detail_shows_the_status_and_checks_one_credential(unlocked, client, fake):
    fake.revoked.add(fake.income)
    page = client.get(f"/credentials/{fake.income}").get_data(as_text=True)
    assert "not checked yet" in page and 'id="check-now"' in page
    response = unlocked.post(
        f"/credentials/{fake.income}/check",
        form_page=f"/credentials/{fake.income}",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "revoked by its issuer" in page and "has revoked your" in page
    national = client.get(f"/credentials/{fake.national}").get_data(as_text=True)
    assert "valid (cannot be revoked)" in national and 'id="check-now"' not in national


def test_check_of_an_unknown_credential_is_404(unlocked, client):
    token = unlocked.token("/credentials/")
    response = client.post("/credentials/cred-999/check", data={"csrf_token": token})
    assert response.status_code == 404


def test_a_failed_check_says_so_and_changes_nothing(unlocked, client, fake):
    fake.registry_down = True
    response = unlocked.post("/credentials/check", form_page="/credentials/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The status check did not finish" in page and "not checked yet" in page


def watch_over(fake, tmp_path, clock, max_age=300.0):
    """Return (RevocationWatch, Agent) over the fake agent."""
    import httpx

    admin = AdminClient("http://fake-holder", transport=httpx.MockTransport(fake.handle))
    cache = StatusCache(tmp_path / "status.json")
    return RevocationWatch(cache, now=clock, interval=None, max_age=max_age), Agent("holder", admin)


@pytest.mark.parametrize(
    ("elapsed", "checked_again"),
    [(0, False), (299, False), (300, True), (5000, True)],
)
def test_refresh_due_rechecks_only_stale_statuses(tmp_path, fake, elapsed, checked_again):
    now = [NOW]
    watch, agent = watch_over(fake, tmp_path, lambda: now[0])
    watch.check_due(agent)
    assert len(fake.revocation_checks) == 1
    now[0] += elapsed
    watch.check_due(agent)
    assert len(fake.revocation_checks) == (2 if checked_again else 1)


def test_refresh_due_reports_newly_revoked_once(tmp_path, fake):
    now = [NOW]
    watch, agent = watch_over(fake, tmp_path, lambda: now[0])
    assert watch.check_due(agent) == []
    fake.revoked.add(fake.income)
    now[0] += 300
    news = []
    watch.on_news = lambda: news.append(1)
    assert watch.check_due(agent) == [fake.income]
    now[0] += 300
    assert watch.check_due(agent) == []
    assert watch.take_unseen() == [fake.income] and watch.take_unseen() == []
    assert news == [1]


def test_timer_checks_while_unlocked_and_stops_on_lock(tmp_path, fake, clock):
    fake.revoked.add(fake.income)
    holder = make_service(tmp_path, fake, clock, revocation_interval=3600.0)
    seq = holder.live_seq
    holder.setup("a long enough passphrase", "a long enough passphrase")
    try:
        assert holder.revocation.wait_checks(1, timeout=10) >= 1
        assert holder.revocation.running
        assert holder.revocation.unseen == [fake.income]
        assert holder.wait_change(seq, timeout=10) != seq, "open tabs are woken"
    finally:
        holder.lock()
    assert not holder.revocation.running


def test_timer_failure_is_shown_on_the_list(unlocked, client, service, fake):
    fake.registry_down = True
    service.revocation.interval = 3600.0
    service.revocation.start(service.agent)
    assert service.revocation.wait_checks(1, timeout=10) >= 1
    service.revocation.stop()
    page = client.get("/credentials/").get_data(as_text=True)
    assert "The last automatic status check failed" in page and "HTTP 500" in page


def test_status_timestamps_are_utc():
    from wallet.flows.revocation import CredentialStatus
    from wallet.holder.revocation import view

    when = datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC)
    status = CredentialStatus("c", True, False, int(when.timestamp()))
    assert view(status).checked == "2026-01-02 03:04 UTC"
    assert view(None).key == "not-revocable"
