"""Hostile input against the wallet app (issue #14): one row per input, each a clean refusal.

Every row asserts a 4xx (never a 5xx), that nothing waited (the test client answers
or the test hangs, so a hang fails the run), and that no internal admin URL reaches
the answer. The unlock rows show that a wrong passphrase never gets a session and
never ends the owner's, also while the wallet is unlocked.
"""

import json
import re
import struct
import zlib

import pytest

from wallet.errors import AgentError, InputError
from wallet.holder.backoff import Backoff, ClientBackoff
from wallet.holder.errors import TooManyAttempts
from wallet.holder.passcheck import FILE, PassphraseCheck
from wallet.web import live

from .conftest import PASSPHRASE, Person

INTERNAL = ("fake-holder", "http://127.0.0.1:", "http://localhost:")
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def token(unlocked, app):
    """An API token created on the settings page."""
    response = unlocked.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    return re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))[1]


def bearer(token, **more):
    return {"Authorization": f"Bearer {token}", **more}


def assert_clean(response, allowed=(400, 401, 403, 404, 409, 413, 423, 429)):
    body = response.get_data(as_text=True)
    assert response.status_code in allowed, (response.status_code, body[:300])
    for internal in INTERNAL:
        assert internal not in body, f"internal URL {internal!r} in the answer"
    return body


def other_client(app, addr):
    """A second browser, at another address (its own cookies)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    return Person(client)


# 1. Unlock: every unlock is checked, also while unlocked.


def test_wrong_passphrase_while_unlocked_gets_no_session_and_keeps_the_owner(
    unlocked, app, client, service
):
    owner_sid = service.session.session_id
    attacker = other_client(app, "10.9.9.9")
    response = attacker.post("/unlock", {"passphrase": "not the passphrase at all"})
    assert response.status_code == 401
    assert "Wrong passphrase" in response.get_data(as_text=True)
    assert service.session.session_id == owner_sid, "the owner must not be logged out"
    assert client.get("/requests/").status_code == 200, "the owner's session survives"
    assert attacker.client.get("/requests/").status_code == 302, "the attacker has no session"
    assert attacker.client.get("/api/v1/credentials").status_code == 401


def test_right_passphrase_while_unlocked_opens_a_second_browser(unlocked, app, service):
    other = other_client(app, "10.9.9.8")
    assert other.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
    assert other.client.get("/requests/").status_code == 200


def test_setup_writes_a_verifier_that_is_not_the_passphrase(unlocked, service):
    stored = (service.data_dir / FILE).read_text()
    assert PASSPHRASE not in stored
    doc = json.loads(stored)
    assert doc["kdf"] == "scrypt" and doc["salt"] and doc["check"]
    check = PassphraseCheck(service.data_dir)
    assert check.matches(PASSPHRASE) and not check.matches(PASSPHRASE + "x")


def test_a_wallet_without_verifier_gets_one_at_its_next_unlock(unlocked, service):
    unlocked.post("/lock", form_page="/requests/")
    (service.data_dir / FILE).unlink()  # as a wallet set up before the verifier existed
    assert unlocked.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
    assert PassphraseCheck(service.data_dir).matches(PASSPHRASE)


@pytest.mark.parametrize(
    "damage", ["not json", '{"salt": 5}', '{"n": 3, "salt": "AA==", "check": "AA=="}', "[]"]
)
def test_a_damaged_verifier_is_replaced_at_the_next_unlock_the_agent_accepts(
    unlocked, service, damage
):
    unlocked.post("/lock", form_page="/requests/")
    (service.data_dir / FILE).write_text(damage)
    assert unlocked.post("/unlock", {"passphrase": "a wrong passphrase"}).status_code == 401
    assert unlocked.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 302
    assert PassphraseCheck(service.data_dir).matches(PASSPHRASE)


def test_unlocked_without_verifier_refuses_every_second_unlock(unlocked, app, service):
    (service.data_dir / FILE).unlink()
    sid = service.session.session_id
    other = other_client(app, "10.9.9.7")
    assert other.post("/unlock", {"passphrase": PASSPHRASE}).status_code == 401
    assert service.session.session_id == sid


def test_a_wrong_passphrase_never_reaches_the_agent_once_a_verifier_exists(unlocked, service):
    unlocked.post("/lock", form_page="/requests/")
    starts = service.session.runner.starts
    assert unlocked.post("/unlock", {"passphrase": "still not it"}).status_code == 401
    assert service.session.runner.starts == starts and not service.unlocked


def test_wrong_passphrases_from_many_clients_are_slowed_down_together(unlocked, app, service):
    # conftest's shared backoff allows two free failures; each client is new.
    for n in range(3):
        response = other_client(app, f"10.0.0.{n}").post("/unlock", {"passphrase": "guess guess"})
        assert response.status_code == 401
    late = other_client(app, "10.0.0.99").post("/unlock", {"passphrase": "guess guess"})
    assert late.status_code == 429 and late.headers["Retry-After"]


@pytest.mark.parametrize(
    ("steps", "blocked"),
    [
        # (client, ok?) in order; then who must wait
        ([("a", False)] * 3, {"a"}),
        ([("a", False)] * 3 + [("b", False)], {"a"}),
        ([("a", False)] * 2 + [("a", True), ("a", False)], set()),
        ([(f"c{i}", False) for i in range(11)], {"anyone"}),
    ],
)
def test_client_backoff_per_client_and_shared(clock, steps, blocked):
    backoff = ClientBackoff(shared=Backoff(clock=clock, free=10), clock=clock, free=2)
    for client, ok in steps:
        backoff.check(client)
        backoff.success(client) if ok else backoff.failure(client)
    for client in ("a", "b", "anyone"):
        if client in blocked or "anyone" in blocked:
            with pytest.raises(TooManyAttempts):
                backoff.check(client)
        else:
            backoff.check(client)


def test_client_backoff_remembers_a_bounded_number_of_clients(clock):
    backoff = ClientBackoff(clock=clock, max_clients=3)
    for n in range(10):
        backoff.failure(f"client-{n}")
    assert len(backoff._clients) == 3


# 1b. Host names and origins (DNS rebinding, cross-site forms).

HOSTS = [
    ("rebind.attacker.localhost", 400),
    ("rebind.attacker.localhost:5000", 400),
    ("localhost@evil.localhost", 400),
    ("localhost:notaport", 400),
    ("localhost/evil", 400),
    ("localhost", None),
    ("localhost:8140", None),
    ("127.0.0.1:8140", None),
    ("[::1]:8140", None),
    ("LOCALHOST.", None),
]


@pytest.mark.parametrize(("host", "status"), HOSTS)
def test_only_configured_host_names_are_answered(unlocked, client, host, status):
    response = client.get("/requests/", headers={"Host": host})
    if status == 400:
        assert response.status_code == 400
        assert "host name" in response.get_data(as_text=True)
    else:  # answered (the session cookie belongs to "localhost": other names see the unlock page)
        assert response.status_code in (200, 302)


def test_a_configured_host_name_is_answered(tmp_path, service):
    from wallet.web import create_app

    app = create_app(
        {
            "TESSERA_HOME": tmp_path,
            "SECRET_KEY": "t",
            "HOLDER_SERVICE": service,
            "WALLET_HOSTS": ["wallet.example.localhost"],
        }
    )
    headers = {"Host": "wallet.example.localhost"}
    assert app.test_client().get("/setup", headers=headers).status_code == 200


CROSS_SITE = [
    ("/lock", {"Origin": "http://evil.localhost"}),
    ("/lock", {"Origin": "null"}),
    ("/lock", {"Origin": "http://localhost:9999"}),
    ("/lock", {"Origin": "not a url"}),
    ("/lock", {"Sec-Fetch-Site": "cross-site"}),
    ("/lock", {"Sec-Fetch-Site": "same-site"}),
    ("/lock", {"Sec-Fetch-Site": "cross-site", "Origin": "null"}),
    ("/lock", {"Sec-Fetch-Site": "same-origin", "Origin": "http://evil.localhost"}),
    ("/unlock", {"Origin": "http://evil.localhost"}),
]


@pytest.mark.parametrize(("path", "headers"), CROSS_SITE)
def test_cross_site_changes_are_refused(unlocked, client, service, path, headers):
    data = {"csrf_token": unlocked.token("/requests/"), "passphrase": PASSPHRASE}
    sid = service.session.session_id
    response = client.post(path, data=data, headers=headers)
    assert response.status_code == 403
    assert service.unlocked and service.session.session_id == sid


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://localhost"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "null"},  # Chromium, no-referrer policy
    ],
)
def test_same_origin_changes_pass(unlocked, client, service, headers):
    data = {"csrf_token": unlocked.token("/requests/")}
    assert client.post("/lock", data=data, headers=headers).status_code == 302
    assert not service.unlocked


def test_a_cross_site_api_call_is_refused_even_with_a_token(token, client, fake):
    response = client.post(
        "/api/v1/connections",
        json={"invitation_url": "x"},
        headers=bearer(token, Origin="http://evil.localhost"),
    )
    assert response.status_code == 403 and response.get_json()["error"] == "Forbidden"
    assert not any(p[1] == "/out-of-band/receive-invitation" for p in fake.posted)


# 2. Rules while locked.


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_rules_answer_423_while_locked(token, unlocked, client, service, method):
    unlocked.post("/lock", form_page="/requests/")
    response = client.open(
        "/api/v1/rules", method=method, json={"version": 1}, headers=bearer(token)
    )
    assert response.status_code == 423


# 3. Bodies of the wrong shape: 400 with a message.

BODIES = [
    ("POST", "/api/v1/requests/{px}/approve", {"digest": "x", "chosen": ["x"]}, "chosen"),
    ("POST", "/api/v1/requests/{px}/approve", {"digest": "x", "chosen": 5}, "chosen"),
    ("POST", "/api/v1/requests/{px}/approve", {"digest": "x", "chosen": {"a": 5}}, "chosen"),
    ("POST", "/api/v1/requests/{px}/approve", {"digest": "x", "self_attested": "abc"}, "self_"),
    ("POST", "/api/v1/requests/{px}/approve", {"digest": 5}, "digest"),
    ("POST", "/api/v1/requests/{px}/approve", {"digest": ["x"]}, "digest"),
    ("POST", "/api/v1/requests/{px}/approve", [1, 2], "JSON object"),
    ("POST", "/api/v1/requests/{px}/counter", {"choices": [1]}, "choices"),
    ("PUT", "/api/v1/rules", {"version": 1, "attributes": ["a"]}, "attributes"),
    ("PUT", "/api/v1/rules", {"version": 1, "firms": ["a"]}, "firms"),
    ("PUT", "/api/v1/rules", {"version": 1, "attributes": {"a": ["allow"]}}, "attributes"),
    ("PUT", "/api/v1/rules", {"version": 1, "shapes": "x"}, "shapes"),
    ("PUT", "/api/v1/rules", {"version": 1, "shapes": [5]}, "shapes[0]"),
    ("PUT", "/api/v1/rules", {"version": 1, "shapes": [{"id": ["a"]}]}, "shapes[0]"),
    ("PUT", "/api/v1/rules", {"version": 1, "shapes": [{"id": "s", "when": "x"}]}, "when"),
    (
        "PUT",
        "/api/v1/rules",
        {"version": 1, "shapes": [{"id": "s", "then": "ask", "when": {"attributes": 5}}]},
        "when.attributes",
    ),
    (
        "PUT",
        "/api/v1/rules",
        {"version": 1, "shapes": [{"id": "s", "then": "ask", "when": {"attributes": [{}]}}]},
        "when.attributes",
    ),
    (
        "PUT",
        "/api/v1/rules",
        {"version": 1, "shapes": [{"id": "s", "then": "ask", "when": {"firm": 1}}]},
        "when.firm",
    ),
    (
        "PUT",
        "/api/v1/rules",
        {"version": 1, "shapes": [{"id": "s", "then": "ask", "when": {"predicates_only": "y"}}]},
        "predicates_only",
    ),
    ("PUT", "/api/v1/rules", {"version": "1"}, "version"),
]


@pytest.mark.parametrize(("method", "path", "body", "says"), BODIES)
def test_bodies_of_the_wrong_shape_are_refused_with_a_message(
    token, client, fake, method, path, body, says
):
    px = fake.add_request()
    response = client.open(
        path.format(px=px),
        method=method,
        data=json.dumps(body),
        headers=bearer(token),
        content_type="application/json",
    )
    assert_clean(response, (400,))
    assert says in response.get_json()["message"]


RAW_BODIES = [
    ("POST", "/api/v1/connections", DEEP),
    ("POST", "/api/v1/connections", '{"invitation_url": ' + DEEP + "}"),
    ("POST", "/api/v1/connections", '{"a": ' * 50 + "1" + "}" * 50),
    ("POST", "/api/v1/connections", "{not json"),
    ("POST", "/api/v1/connections", b"\xff\xfe{}"),
    ("POST", "/api/v1/connections", "NaN"),
    ("POST", "/api/v1/requests/{px}/approve", DEEP),
    ("POST", "/api/v1/requests/{px}/decline", "[" * 40 + "]" * 40),
    ("PUT", "/api/v1/rules", DEEP),
    ("PUT", "/api/v1/prices", DEEP),
    ("POST", "/api/v1/requests/{px}/terms", DEEP),
    ("POST", "/api/v1/connections", "x" * (3 * 1024 * 1024)),
]


@pytest.mark.parametrize(("method", "path", "raw"), RAW_BODIES, ids=lambda v: str(v)[:30])
def test_malformed_deep_or_huge_bodies_are_refused(token, client, fake, method, path, raw):
    px = fake.add_request()
    response = client.open(
        path.format(px=px),
        method=method,
        data=raw,
        headers=bearer(token),
        content_type="application/json",
    )
    assert_clean(response, (400, 413))


def test_a_shallow_body_still_works(token, client, fake):
    body = {"version": 1, "attributes": {"nationality": "ask"}}
    response = client.put("/api/v1/rules", json=body, headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["attributes"] == {
        "nationality": "ask"
    }


# Ids in the path: validated, never echoed with the agent's URL.

IDS = ["%2e%2e", "..", "%00", "a" * 10_000, "..%2f..%2fstatus", "%2e", "-x", "a b", "é"]


@pytest.mark.parametrize("cred_id", IDS, ids=lambda v: v[:12])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_odd_credential_ids_are_refused_by_the_api(token, client, fake, cred_id, method):
    fake.add_credential({"nationality": "FR"})
    before = dict(fake.credentials)
    response = client.open(f"/api/v1/credentials/{cred_id}", method=method, headers=bearer(token))
    body = assert_clean(response, (400, 404))
    assert cred_id not in body or len(cred_id) < 20
    assert fake.credentials == before


@pytest.mark.parametrize("cred_id", IDS, ids=lambda v: v[:12])
def test_odd_credential_ids_are_refused_by_the_pages(unlocked, client, cred_id):
    assert_clean(client.get(f"/credentials/{cred_id}"), (400, 404))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requests/%00",
        "/api/v1/offers/{long}/accept",
        "/api/v1/receipts/%2e%2e",
        "/api/v1/requests/..%00/approve",
    ],
)
def test_odd_record_ids_are_refused(token, client, path):
    method = "POST" if path.endswith(("accept", "approve")) else "GET"
    response = client.open(path.format(long="b" * 10_000), method=method, headers=bearer(token))
    assert_clean(response, (400, 404))


def test_an_agent_failure_never_shows_the_admin_url(token, client, fake, monkeypatch):
    from wallet.web import api

    cred_id = fake.add_credential({"nationality": "FR"})

    def broken(*args):
        url = f"http://fake-holder/credential/{cred_id}"
        raise AgentError("GET", url, 500, f"boom at {url}")

    monkeypatch.setattr(api.records, "credential", broken)
    response = client.get(f"/api/v1/credentials/{cred_id}", headers=bearer(token))
    assert response.status_code == 502
    assert_clean(response, (502,))
    assert "HTTP 500" in response.get_json()["message"]


# QR uploads: a decompression bomb is refused before it is decoded.


def png_header(width, height, bit_depth=1, colour=0, idat=b""):
    """Return a PNG with this header and the given (maybe broken) image data."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


QR_UPLOADS = [
    (
        "bomb 14000x14000 1-bit",
        png_header(14_000, 14_000, idat=zlib.compress(b"\0" * 4096)),
        "large",
    ),
    ("bomb 8000x8000", png_header(8_000, 8_000, idat=zlib.compress(b"\0" * 1024)), "large"),
    ("broken image data", png_header(16, 16, idat=b"junk"), "not an image"),
    ("not an image", b"GIF89 but not really", "not an image"),
    ("empty", b"\x89PNG\r\n\x1a\n", "not an image"),
]


@pytest.mark.parametrize(("name", "data", "says"), QR_UPLOADS, ids=[r[0] for r in QR_UPLOADS])
def test_qr_uploads_that_are_bombs_or_junk_are_refused(unlocked, client, name, data, says):
    import io

    response = unlocked.post(
        "/connections/preview",
        {"url": "", "qr": (io.BytesIO(data), "qr.png")},
        form_page="/connections/",
        content_type="multipart/form-data",
    )
    body = assert_clean(response, (400,))
    assert says in body


# Live updates: a timeout that is not a finite number never waits.


@pytest.mark.parametrize(
    "query",
    [
        "since=0&timeout=nan",
        "since=0&timeout=inf",
        "since=0&timeout=-inf",
        "since=0&timeout=NaN",
        "since=0&timeout=abc",
        "since=abc&timeout=1",
        "since=" + "9" * 5000 + "&timeout=1",
    ],
)
def test_live_wait_refuses_odd_numbers(unlocked, client, query):
    response = client.get(f"/live/wait?{query}")
    assert_clean(response, (400,))
    assert "timeout" in response.get_json()["message"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"since": "3", "timeout": "-5"}, (3, 0.0)),
        ({"since": "3", "timeout": "1e308"}, (3, live.LONG_POLL)),
        ({"since": "3", "timeout": "2.5"}, (3, 2.5)),
        ({}, (-1, live.LONG_POLL)),
    ],
)
def test_live_wait_clamps_its_timeout(args, expected):
    assert live._wait_args(args) == expected


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "x"])
def test_live_wait_arguments_refuse_non_finite_timeouts(timeout):
    with pytest.raises(InputError):
        live._wait_args({"timeout": timeout})


# Sweeps: every API body field and every page form field given values of every JSON type.

SWEEP_VALUES = [None, 5, "x", [], [1], {}, {"a": 5}, {"a": [1]}, {"a": {"b": 1}}, True, 1e308]
SWEEP_VALUES += ["\x00", "é" * 5000, "../..", "http://127.0.0.1:1/"]
API_FIELDS = [
    ("POST", "/api/v1/requests/{px}/approve", ["digest", "chosen", "self_attested"]),
    ("POST", "/api/v1/requests/{px}/decline", ["code", "reason"]),
    ("POST", "/api/v1/requests/{px}/counter", ["choices", "thresholds"]),
    ("POST", "/api/v1/requests/{px}/terms", ["decision", "price", "reason"]),
    ("POST", "/api/v1/offers/{cx}/decline", ["reason"]),
    ("POST", "/api/v1/connections", ["invitation_url"]),
    ("PUT", "/api/v1/prices", ["version", "prices", "default", "currency"]),
    ("PUT", "/api/v1/rules", ["version", "attributes", "firms", "shapes"]),
]


@pytest.mark.parametrize(("method", "path", "keys"), API_FIELDS, ids=lambda v: str(v)[:40])
def test_api_fields_of_every_type_never_fail_the_server(token, client, fake, method, path, keys):
    found = []
    for key in keys:
        for value in SWEEP_VALUES:
            url = path.format(px=fake.add_request(), cx=fake.add_offer({"nationality": "FR"}))
            body = {"digest": "x", "version": 1, key: value}
            response = client.open(url, method=method, json=body, headers=bearer(token))
            text = response.get_data(as_text=True)
            if response.status_code >= 500 or any(i in text for i in INTERNAL[:1]):
                found.append((key, repr(value)[:30], response.status_code, text[:120]))
    assert not found


FORM_FIELDS = ["url", "passphrase", "confirm", "name", "reason", "code", "amount", "currency"]
FORM_FIELDS += ["decision", "digest", "folder", "every_hours", "keep", "backup_passphrase"]
FORM_JUNK = ["", "x", "\x00", "é" * 3000, "-1", "nan", "1e999", "../..", "{}", "[]"]


@pytest.mark.parametrize("junk", FORM_JUNK, ids=repr)
def test_every_page_form_with_junk_fields_never_fails_the_server(
    unlocked, client, app, fake, service, junk
):
    px = fake.add_request()
    found = []
    for rule in app.url_map.iter_rules():
        if (
            "POST" not in rule.methods
            or rule.rule.startswith("/api")
            or rule.endpoint
            in (
                "auth.lock",
                "auth.unlock",
            )
        ):
            continue
        data = {f: junk for f in FORM_FIELDS}
        data["csrf_token"] = unlocked.token("/requests/")
        response = client.post(re.sub(r"<[^>]+>", px, rule.rule), data=data)
        if response.status_code >= 500 or INTERNAL[0] in response.get_data(as_text=True):
            found.append((rule.rule, response.status_code))
        assert service.unlocked, f"{rule.rule} locked the wallet"
    assert not found
