"""The wallet in front of its inbox: hold on lock, deliver on unlock, the lock screen's count."""

import pytest

from wallet.holder.backoff import Backoff
from wallet.holder.inbox import DOWN, InboxState
from wallet.holder.service import HolderService, ProcessRunner
from wallet.settings import Settings

from .conftest import PASSPHRASE, TODAY
from .fake_agent import FakeRunner
from .fake_inbox import FakeInbox


class OrderedRunner(FakeRunner):
    """A fake runner that writes its starts and stops into a shared log."""

    def __init__(self, fake, log):
        """Log into `log`."""
        super().__init__(fake)
        self.log = log

    def start(self, passphrase, webhook_url):
        """Start and log it."""
        admin = super().start(passphrase, webhook_url)
        self.log.append("agent ready")
        return admin

    def stop(self):
        """Log and stop."""
        if self.running:
            self.log.append("agent stop")
        super().stop()


@pytest.fixture
def inbox():
    """A fake inbox with nothing waiting."""
    return FakeInbox()


@pytest.fixture
def service(tmp_path, fake, clock, inbox):
    """A `HolderService` over the fake agent and the fake inbox, no revocation timer."""
    log = []
    holder = HolderService.for_settings(
        Settings(home=tmp_path, port_offset=0),
        runner=OrderedRunner(fake, log),
        clock=clock,
        wall_clock=lambda: TODAY,
        idle_timeout=600,
        backoff=Backoff(clock=clock),
        scrypt_n=2**10,
        inbox_client=inbox,
        revocation_interval=None,
    )
    holder.log = log
    inbox.on_deliver = lambda: log.append("deliver")
    yield holder
    holder.lock()


def test_lock_holds_the_inbox_before_the_agent_stops(unlocked, service, inbox):
    original = inbox.hold

    def hold(person_id):
        service.log.append("hold")
        return original(person_id)

    inbox.hold = hold
    unlocked.post("/lock", form_page="/requests/")
    assert service.log[-2:] == ["hold", "agent stop"]
    assert inbox.held and not service.unlocked


def test_unlock_delivers_after_the_agent_is_ready(unlocked, service, inbox):
    unlocked.post("/lock", form_page="/requests/")
    inbox.waiting = 2
    service.log.clear()
    assert unlocked.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
    assert service.log == ["agent ready", "deliver"]
    assert inbox.waiting == 0 and not inbox.held
    # The id is (re)registered before delivery: a restored wallet's id may be new to it.
    assert inbox.calls[-2:] == ["register", "deliver_now"]
    assert inbox.deliver_to == "http://127.0.0.1:8030"


def test_unlock_removes_replayed_credential_copies(unlocked, service, inbox, fake):
    unlocked.post("/lock", form_page="/requests/")
    seen = []
    inbox.on_deliver = lambda: seen.append(fake.posted[:])
    unlocked.post("/unlock", {"passphrase": PASSPHRASE})
    # remove_duplicates read the holder's credentials and exchanges after delivery
    assert seen == [[]] and service.unlocked


@pytest.mark.parametrize(
    ("waiting", "says"),
    [
        (0, "No messages from firms are waiting."),
        (1, "1 message from a firm is waiting; unlock to read it."),
        (3, "3 messages from firms are waiting; unlock to read them."),
    ],
)
def test_lock_screen_counts_waiting_messages(unlocked, inbox, client, waiting, says):
    unlocked.post("/lock", form_page="/requests/")
    inbox.waiting = waiting
    page = client.get("/unlock").get_data(as_text=True)
    assert says in page and f'data-waiting="{waiting}"' in page


def test_inbox_down_the_wallet_still_locks_and_unlocks_and_says_so(unlocked, service, inbox):
    inbox.down = True
    assert unlocked.post("/lock", form_page="/requests/").status_code == 302
    assert not service.unlocked and not service.session.runner.running
    page = unlocked.client.get("/unlock").get_data(as_text=True)
    assert "The inbox is not running" in page and "cannot be" in page
    response = unlocked.post("/unlock", {"passphrase": PASSPHRASE}, follow_redirects=True)
    assert response.status_code == 200 and service.unlocked
    assert "The inbox is not running" in response.get_data(as_text=True)


def test_wrong_passphrase_page_still_shows_the_count(unlocked, inbox):
    unlocked.post("/lock", form_page="/requests/")
    inbox.waiting = 3
    response = unlocked.post("/unlock", {"passphrase": "not the passphrase"})
    assert response.status_code == 401
    assert "3 messages from firms are waiting" in response.get_data(as_text=True)


def test_inbox_state_messages():
    assert InboxState(False).message == DOWN
    assert InboxState(True, 2).message.startswith("2 messages")


def test_default_inbox_client_is_on_loopback_at_the_inbox_port(tmp_path):
    holder = HolderService.for_settings(
        Settings(home=tmp_path, port_offset=300), runner=FakeRunner(None)
    )
    key = tmp_path / "secrets" / "inbox.control-key"
    assert not key.exists(), "building the service must not create files"
    assert holder.inbox.client.base_url == "http://127.0.0.1:8335"
    assert key.exists()
    holder.inbox.close()


class FakeProc:
    """An agent process that starts at once."""

    def __init__(self, tmp_path):
        """Log and arg file under `tmp_path`."""
        self.log_path = tmp_path / "agent.log"
        self.arg_file = tmp_path / "args.yml"

    def start(self):
        """Be ready."""


class FakeDeployment:
    """Records what `ProcessRunner` asks of the deployment."""

    def __init__(self, settings):
        """Use `settings`."""
        self.settings = settings
        self.asked = {}

    def process(self, role, **kwargs):
        """Record the arguments; return a `FakeProc`."""
        self.asked = {"role": role, **kwargs}
        return FakeProc(self.settings.home)

    def admin(self, role):
        """Return a stand-in admin client."""
        return "admin"


def test_agent_starts_with_its_endpoint_on_the_inbox(tmp_path):
    settings = Settings(home=tmp_path, port_offset=200)
    deployment = FakeDeployment(settings)
    ProcessRunner(deployment, supervise=False).start(PASSPHRASE, "http://127.0.0.1:1/hook")
    endpoint = deployment.asked["endpoint"]
    person_id = (tmp_path / "agents" / "holder" / "inbox-id").read_text().strip()
    assert endpoint == f"http://127.0.0.1:8235/didcomm/{person_id}"
    assert deployment.asked["wallet_key"] == PASSPHRASE


def test_a_wallet_with_no_inbox_starts_one_in_its_process_only_once(tmp_path):
    from wallet.agent.deployment import Deployment
    from wallet.agent.process import port_in_use
    from wallet.holder.inbox import InboxLink
    from wallet.inbox.holder import INBOX_PORT

    offset = next(o for o in range(48_700, 60_000, 100) if not port_in_use(INBOX_PORT + o))
    settings = Settings(home=tmp_path, port_offset=offset)
    link = InboxLink.for_settings(settings)
    assert not link.state().running
    try:
        assert link.ensure_running(Deployment(settings)) == ""
        server = link.server
        assert link.state() == InboxState(True, 0)
        other = InboxLink.for_settings(settings)
        assert other.ensure_running(Deployment(settings)) == "" and other.server is None
        other.close()
        assert link.ensure_running(Deployment(settings)) == "" and link.server is server
    finally:
        link.close()
    after = InboxLink.for_settings(settings)
    assert not after.state().running, "close() stops the inbox the wallet started"
    after.close()
