"""kill -9 of the wallet process (the Flask app and the service owning the agent).

Killed at each step of unlock, right after (or while) approving a proof request, and
after a rule's answer left but before its history entry was written.
After each kill: no file holds the passphrase, the agent the dead wallet started stops
by itself and frees its ports, and a new wallet process unlocks with the same
passphrase to find the person's credential, a history that verifies, and every
exchange ended once: nothing lost, nothing stuck.
"""

import contextlib
import json
import re
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import files_holding, free_port_offset

from wallet import scenario
from wallet.agent.deployment import Deployment, running_agents
from wallet.agent.handle import Agent
from wallet.agent.process import port_in_use
from wallet.agent.webhooks import WebhookHub
from wallet.consent.policy import Policy
from wallet.errors import AgentError
from wallet.flows import connect, issue, present
from wallet.holder.rules import RulesFile
from wallet.holder.tokens import TokenStore
from wallet.inbox.process import InboxProcess
from wallet.schemas import load_all
from wallet.settings import Settings

from .conftest import PASSPHRASE, wait_until
from .wallet_process import WalletProcess

pytestmark = pytest.mark.e2e

FIGURES = {"attempted": 0, "completed": 0, "lost": 0, "duplicated": 0, "stuck": 0}
UNLOCKED_S = {}  # kill point -> seconds from the kill to unlocked again
LANDED = {}  # kill point -> what had happened when the kill landed
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
AGENT_EXIT_S = 30.0


class Browser:
    """The person's browser on one wallet process: a cookie jar, forms with their CSRF token."""

    def __init__(self, url):
        """Talk to the wallet at `url`."""
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=120)

    def post_form(self, path, data, form_page=None):
        """Post a form with the CSRF token of `form_page` (default: the same path)."""
        page = self.http.get(form_page or path)
        found = CSRF.search(page.text)
        assert found, f"no form on {form_page or path}: {page.status_code}"
        return self.http.post(path, data={**data, "csrf_token": found.group(1)})

    def close(self):
        """Close the connections."""
        self.http.close()


class Person:
    """The person's wallet seen from the test: its process, its files, its agent."""

    def __init__(self, world, tmp):
        """Use the world's settings; wallet processes log under `tmp`."""
        self.settings = world.settings
        self.deployment = world.deployment
        self.tmp = tmp
        self.data_dir = self.settings.role_dir("holder") / "tessera"
        self.arg_file = self.settings.role_dir("holder") / "run" / "args.yml"
        self.token = None
        self.wallet = None
        self.starts = 0

    def start(self, **options):
        """Start a new wallet process (locked); return it."""
        self.starts += 1
        log = self.tmp / f"wallet-{self.starts}.log"
        self.wallet = WalletProcess(self.settings, log, **options).start()
        return self.wallet

    def api(self, method, path, **kwargs):
        """Call the wallet's JSON API with the person's token; return the answer."""
        headers = {"Authorization": f"Bearer {self.token}"}
        kwargs.setdefault("timeout", 90)
        return httpx.request(method, self.wallet.url + "/api/v1" + path, headers=headers, **kwargs)

    def results(self, path):
        """Return the `results` of a GET on the API (asserting it answered 200)."""
        answer = self.api("GET", path, timeout=60)
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
        return answer.json()["results"]

    def unlock(self):
        """Unlock the running wallet process with the passphrase through its form."""
        browser = Browser(self.wallet.url)
        try:
            answer = browser.post_form("/unlock", {"passphrase": PASSPHRASE})
        finally:
            browser.close()
        assert answer.status_code == 302, answer.text[:500]
        assert answer.headers["Location"].endswith("/requests/")
        self.wallet.unlocked = True

    def stop(self):
        """Stop the wallet process cleanly (it locks) and check its agent went with it."""
        self.wallet.stop()
        assert not self.agent_pids()

    def agent_pids(self):
        """Return the pids of the holder agents started with this person's arg file."""
        return processes_naming(str(self.arg_file))

    def agent_ports_free(self):
        """Return True when nothing listens on the holder agent's ports."""
        ports = self.deployment.ports("holder")
        return not any(port_in_use(p) for p in (ports.inbound, ports.admin))

    def agent_ready(self):
        """Return True when the holder agent's admin API says ready."""
        try:
            return self.deployment.admin("holder").ready()
        except AgentError:
            return False

    def holder(self):
        """Return the holder agent's admin as an `Agent` (polled, no webhooks here)."""
        return Agent("holder", self.deployment.admin("holder"), None)


def processes_naming(text):
    """Return the pids whose command line contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # it ended while we looked
            continue
    return found


@contextlib.contextmanager
def firms(home):
    """Run the inbox, a seeded issuer and a verifier on loopback; yield a `World` without holder."""
    settings = Settings(home=home, port_offset=free_port_offset(), loopback_egress=True)
    deployment = Deployment(settings)
    hub = WebhookHub().start()
    inbox = InboxProcess(settings)
    try:
        inbox.start()
        with running_agents(deployment, ("issuer", "verifier"), hub=hub):
            world = scenario.World(
                Agent("issuer", deployment.admin("issuer"), hub),
                None,
                Agent("verifier", deployment.admin("verifier"), hub),
                load_all(),
            )
            world.settings, world.deployment = settings, deployment
            scenario.seed_issuer(world)
            yield world
    finally:
        inbox.close()
        hub.stop()
        deployment.close()


def connect_firm(person, firm):
    """Connect the person to `firm` through the wallet's API; return the firm's connection."""
    invitation = connect.create_invitation(firm)
    answer = person.api(
        "POST", "/connections", json={"invitation_url": invitation["invitation_url"]}
    )
    assert answer.status_code == 201, answer.text
    theirs = connect.inviter_connection(firm, invitation["invi_msg_id"])
    connect.wait_active(firm, theirs)
    return theirs


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """First setup: passphrase chosen, connected to both firms, an ID card held; then locked."""
    tmp = tmp_path_factory.mktemp("wallet-kills")
    with firms(tmp / "home") as world:
        person = world.person = Person(world, tmp)
        person.start()
        browser = Browser(person.wallet.url)
        chosen = {"passphrase": PASSPHRASE, "confirm": PASSPHRASE}
        assert browser.post_form("/setup", chosen).status_code == 302
        person.token = TokenStore(person.data_dir / "api-tokens.json").create("crash suite")[1]
        world.issuer_conn = connect_firm(person, world.issuer)
        world.verifier_conn = connect_firm(person, world.verifier)
        identity = scenario.IDENTITY
        values = scenario.load_person()[identity]
        schema, cred_def = world.schemas[identity], world.cred_defs[identity]
        issue.offer_credential(world.issuer, world.issuer_conn, cred_def, schema, values)
        (offer,) = wait_until(lambda: person.results("/offers"), "the offer in the wallet")
        accepted = person.api("POST", f"/offers/{offer['cred_ex_id']}/accept", timeout=90)
        assert accepted.status_code == 200, accepted.text
        world.cred_ids = [c["cred_id"] for c in person.results("/credentials")]
        assert world.cred_ids == [accepted.json()["cred_id"]]
        assert browser.post_form("/lock", {}, form_page="/settings/").status_code == 302
        browser.close()
        person.stop()
        try:
            yield world
        finally:
            if person.wallet is not None:
                person.wallet.stop()
    print(
        f"\ncrash suite, wallet kills: {FIGURES}; seconds from kill to unlocked again: "
        f"{UNLOCKED_S}; where each kill landed: {LANDED}"
    )


def after_the_kill(world, killed_at, point):
    """Check what a killed wallet left, unlock a new one, record the seconds it took."""
    person = world.person
    needle = PASSPHRASE.encode()
    assert files_holding(person.settings.home, needle) == []
    wait_until(lambda: not person.agent_pids(), "the agent to stop by itself", AGENT_EXIT_S)
    wait_until(person.agent_ports_free, "the agent's ports to be free", AGENT_EXIT_S)
    assert files_holding(person.settings.home, needle) == []
    person.start()
    person.unlock()
    UNLOCKED_S.setdefault(point, []).append(round(time.monotonic() - killed_at, 1))
    assert not person.arg_file.exists()  # read, then removed, as every start does
    kept = [c["cred_id"] for c in person.results("/credentials")]
    FIGURES["lost"] += not set(world.cred_ids) <= set(kept)
    assert set(world.cred_ids) <= set(kept), "a credential was lost"
    return person.results("/history")  # 200: every line opened and chained to the anchor


UNLOCK_STEPS = {
    # step -> what the test waits for before it kills the wallet (polled, no timing)
    "arg file written": lambda p, answered: p.arg_file.exists(),
    "agent process started": lambda p, answered: bool(p.agent_pids()),
    "agent ready": lambda p, answered: p.agent_ready(),
    "arg file removed": lambda p, answered: p.agent_pids() and not p.arg_file.exists(),
    "unlock answered": lambda p, answered: answered,
}


@pytest.mark.parametrize("step", list(UNLOCK_STEPS))
def test_wallet_killed_during_unlock_unlocks_again_with_nothing_lost(world, step):
    FIGURES["attempted"] += 1
    person = world.person
    wallet = person.start()
    browser = Browser(wallet.url)
    page = browser.http.get("/unlock")
    form = {"passphrase": PASSPHRASE, "csrf_token": CSRF.search(page.text).group(1)}
    done, answers = threading.Event(), []

    def post():
        with contextlib.suppress(httpx.TransportError):  # the kill cuts the answer off
            answers.append(browser.http.post("/unlock", data=form).status_code)
        done.set()

    threading.Thread(target=post, daemon=True).start()
    wait_until(lambda: UNLOCK_STEPS[step](person, done.is_set()), step, interval=0.005)
    killed_at = wallet.kill()
    LANDED[step] = {
        "arg file left": person.arg_file.exists(),
        "agent started": bool(person.agent_pids()),
    }
    done.wait(10)
    browser.close()
    assert answers in ([], [302]), f"the unlock answered {answers} before the kill"
    after_the_kill(world, killed_at, step)
    person.stop()
    FIGURES["completed"] += 1


def nationality_request(world, name):
    """A small request: the nationality on the person's ID card, named `name`."""
    identity = [{"cred_def_id": world.cred_defs[scenario.IDENTITY]}]
    return {
        "name": name,
        "version": "1.0",
        "requested_attributes": {"nat": {"name": "nationality", "restrictions": identity}},
        "requested_predicates": {},
    }


def waiting(person, name):
    """Return the requests named `name` the wallet shows as waiting for an answer."""
    return [r for r in person.results("/requests") if r.get("name") == name]


def post_raw(url, path, token, body):
    """Send an HTTP POST and return without reading the answer (the socket, left open)."""
    host, port = url.removeprefix("http://").split(":")
    raw = socket.create_connection((host, int(port)), timeout=10)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    raw.sendall(head.encode() + body)
    return raw


def states(person, thread_id):
    """Return the states of the holder's records of `thread_id` (the agent may be stopping)."""
    try:
        return [r.state for r in present.records(person.holder(), thread_id=thread_id)]
    except AgentError as exc:
        return f"agent stopping ({exc.status})"


# How each approve is killed: once the agent has sent the presentation but before the
# wallet wrote its history (first: its wallet process is started for it); once its
# answer came back; once it is posted, unanswered. The later ones go on with the wallet
# the previous kill left unlocked again.
APPROVE_KILLS = ("presentation sent, history not written", "after the answer", "approve posted")


def unlocked_wallet(person, **options):
    """Return the running unlocked wallet, or start and unlock one (always with `options`)."""
    if options or person.wallet is None or not person.wallet.unlocked:
        if person.wallet is not None:
            person.stop()
        person.start(**options)
        person.unlock()
    return person.wallet


@pytest.mark.parametrize("moment", APPROVE_KILLS)
def test_wallet_killed_at_approve_the_verifier_verifies_once_and_history_says_so_once(
    world, moment
):
    FIGURES["attempted"] += 1
    person = world.person
    marker = person.tmp / f"sent-{APPROVE_KILLS.index(moment)}"
    hold = {"hold_after_send": marker} if moment.startswith("presentation sent") else {}
    wallet = unlocked_wallet(person, **hold)
    name = f"Nationality ({moment})"
    theirs, thread_id = present.request_proof(
        world.verifier, world.verifier_conn, nationality_request(world, name)
    )
    (shown,) = wait_until(lambda: waiting(person, name), "the request in the wallet")
    approve = f"/requests/{shown['pres_ex_id']}/approve"
    if moment == "after the answer":
        answered = person.api("POST", approve, json={"digest": shown["digest"]})
        assert answered.status_code == 200, answered.text
        killed_at = wallet.kill()
    else:
        body = json.dumps({"digest": shown["digest"]}).encode()
        raw = post_raw(wallet.url, "/api/v1" + approve, person.token, body)
        if hold:
            wait_until(marker.exists, "the presentation to leave", interval=0.005)
        killed_at = wallet.kill()
        raw.close()
    after_the_kill(world, killed_at, moment)

    found = states(person, thread_id)
    LANDED[moment] = {"holder's record once unlocked again": found}
    if found == ["request-received"]:
        # The kill landed before anything was sent: the request still waits; answer it once.
        (shown,) = waiting(person, name)
        again = person.api("POST", approve, json={"digest": shown["digest"]})
        assert again.status_code == 200, again.text
        LANDED[moment]["approved again"] = True
    verified = present.wait_verified(world.verifier, theirs, timeout=90)
    assert verified.verified
    ours = present.records(person.holder(), thread_id=thread_id)
    verifiers = present.records(world.verifier, thread_id=thread_id)
    stuck = waiting(person, name)
    told = [e for e in person.results("/history") if e["request_name"] == name]
    FIGURES["duplicated"] += max(0, len(ours) - 1) + max(0, len(verifiers) - 1)
    FIGURES["duplicated"] += max(0, len(told) - 1)
    FIGURES["lost"] += not told
    FIGURES["stuck"] += bool(stuck)
    LANDED[moment]["history entries"] = len(told)
    assert len(ours) == 1 and len(verifiers) == 1
    assert stuck == []
    assert [e["action"] for e in told] == ["sent"], "the history must list the disclosure once"
    FIGURES["completed"] += 1


def test_wallet_killed_after_a_rule_answered_logs_the_answer_once(world):
    """A rule approves the request; the wallet dies once the presentation left, before
    the history entry: the next unlock writes it, once, with the rule that decided."""
    FIGURES["attempted"] += 1
    person = world.person
    marker = person.tmp / "sent-by-a-rule"
    if person.wallet is not None:
        person.stop()
    wallet = person.start(hold_after_send=marker, answer=True)
    person.unlock()
    rules = RulesFile(person.data_dir)
    policy = Policy().set_attribute("nationality", "allow")
    for connection in person.holder().admin.get("/connections")["results"]:
        policy = policy.set_firm(connection["connection_id"], "trusted")
    rules.save(policy)
    try:
        name = "Nationality (answered by a rule)"
        theirs, thread_id = present.request_proof(
            world.verifier, world.verifier_conn, nationality_request(world, name)
        )
        wait_until(marker.exists, "the rule's presentation to leave", interval=0.005)
        killed_at = wallet.kill()
    finally:
        rules.save(Policy())  # the next wallets ask the person again
    after_the_kill(world, killed_at, "a rule's answer sent, history not written")
    assert present.wait_verified(world.verifier, theirs, timeout=90).verified
    told = [e for e in person.results("/history") if e["request_name"] == name]
    FIGURES["duplicated"] += max(0, len(told) - 1)
    FIGURES["lost"] += not told
    assert [(e["action"], e["rule"]) for e in told] == [("sent", "attributes:allow")]
    assert len(present.records(person.holder(), thread_id=thread_id)) == 1
    FIGURES["completed"] += 1
