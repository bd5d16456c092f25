"""The JSON API: bearer tokens (hash stored), and every action under /api/v1/."""

import json
import re

import pytest

from wallet.pricing import store

from .fake_agent import INCOME, NATIONAL_ID, invitation_url


@pytest.fixture
def token(unlocked, app):
    """A token created on the settings page."""
    response = unlocked.post("/settings/tokens", {"name": "script"}, form_page="/settings/")
    return re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))[1]


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_api_refuses_missing_or_bad_tokens(token, client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/credentials", headers=headers)
    assert response.status_code == 401 and "Settings page" in response.get_json()["message"]


def test_only_a_hash_of_the_token_is_stored(token, service):
    stored = (service.data_dir / "api-tokens.json").read_text()
    assert token not in stored


def test_revoked_token_stops_working(token, unlocked, client, app):
    token_id = app.extensions["tokens"].list()[0]["id"]
    unlocked.post(f"/settings/tokens/{token_id}/revoke", form_page="/settings/")
    assert client.get("/api/v1/credentials", headers=auth(token)).status_code == 401


def test_api_answers_423_when_locked(token, unlocked, client):
    unlocked.post("/lock", form_page="/requests/")
    assert client.get("/api/v1/credentials", headers=auth(token)).status_code == 423


def test_api_full_story(token, client, fake):
    h = auth(token)
    assert (
        client.post(
            "/api/v1/connections", headers=h, json={"invitation_url": invitation_url("Acme Bank")}
        ).status_code
        == 201
    )
    labels = [
        c["label"] for c in client.get("/api/v1/connections", headers=h).get_json()["results"]
    ]
    assert "Acme Bank" in labels
    bad = client.post(
        "/api/v1/connections",
        headers=h,
        json={"invitation_url": invitation_url("X", "http://10.0.0.1")},
    )
    assert bad.status_code == 400 and "private address" in bad.get_json()["message"]
    fake.add_offer(NATIONAL_ID)
    fake.add_offer(INCOME)
    for offer in client.get("/api/v1/offers", headers=h).get_json()["results"]:
        assert (
            client.post(f"/api/v1/offers/{offer['cred_ex_id']}/accept", headers=h).status_code
            == 200
        )
    creds = client.get("/api/v1/credentials", headers=h).get_json()["results"]
    assert sorted(c["type"] for c in creds) == ["Employment and income", "National identity"]
    pres_ex_id = fake.add_request()
    [view] = client.get("/api/v1/requests", headers=h).get_json()["results"]
    assert view["from"] == "Bank of Tests" and view["answerable"]
    shown = json.dumps(view["items"])
    assert "FR" in shown and "19900415" not in shown
    missing = client.post(f"/api/v1/requests/{pres_ex_id}/approve", headers=h, json={})
    assert missing.status_code == 400
    sent = client.post(
        f"/api/v1/requests/{pres_ex_id}/approve", headers=h, json={"digest": view["digest"]}
    )
    assert sent.status_code == 200 and sent.get_json()["revealed"] == ["nationality"]
    other = fake.add_request()
    assert (
        client.post(
            f"/api/v1/requests/{other}/decline", headers=h, json={"reason": "no"}
        ).status_code
        == 200
    )
    history = client.get("/api/v1/history", headers=h).get_json()["results"]
    assert [e["action"] for e in history] == ["declined", "sent"]


def test_api_needs_no_csrf_but_forms_do(token, client):
    response = client.delete("/api/v1/credentials/nope", headers=auth(token))
    assert response.status_code == 404


def test_twenty_price_lists_put_at_once_all_succeed_and_one_whole_file_stays(token, app, service):
    import threading

    start = threading.Barrier(20)
    statuses = []
    doc = dict(store.DEFAULT)  # a fresh wallet has no prices to read back

    def put(i):
        client = app.test_client()
        start.wait()
        body = {**doc, "attribute": f"0.{i:02d}"}
        statuses.append(client.put("/api/v1/prices", json=body, headers=auth(token)).status_code)

    threads = [threading.Thread(target=put, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20
    saved = json.loads((service.data_dir / "price-list.json").read_text())
    assert saved["attribute"] in {f"0.{i:02d}" for i in range(20)}
    assert not [p for p in service.data_dir.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("body", "status", "nationality_from", "combined"),
    [
        ({"together": {"national_id": "other"}}, 200, "other", False),
        ({"chosen": {"nationality": "other"}}, 400, None, False),
        ({"chosen": {"nationality": "other"}, "split": True}, 200, "other", True),
        ({"chosen": {"nationality": "other"}, "split": "yes"}, 400, None, False),
    ],
)
def test_api_answers_one_type_from_one_credential_unless_split(
    token, fake, client, body, status, nationality_from, combined
):
    first = fake.add_credential(NATIONAL_ID)
    other = fake.add_credential(dict(NATIONAL_ID, nationality="DE", given_name="Alicia"))
    fake.add_credential(INCOME)
    pres_ex_id = fake.add_request()
    h = auth(token)
    view = client.get(f"/api/v1/requests/{pres_ex_id}", headers=h).get_json()
    [group] = view["together"]
    assert group["key"] == "national_id" and sorted(group["referents"]) == ["adult", "nationality"]
    assert sorted(c["cred_id"] for c in group["choices"]) == sorted([first, other])
    ids = {"other": other}
    body = {
        k: ({r: ids[v] for r, v in val.items()} if isinstance(val, dict) else val)
        for k, val in body.items()
    }
    sent = client.post(
        f"/api/v1/requests/{pres_ex_id}/approve", headers=h, json={"digest": view["digest"], **body}
    )
    assert sent.status_code == status, sent.get_json()
    presented = [b for _, p, b in fake.posted if p.endswith("/send-presentation")]
    if status != 200:
        assert not presented
        return
    [presentation] = presented
    assert presentation["anoncreds"]["requested_attributes"]["nationality"]["cred_id"] == other
    assert bool(sent.get_json()["combined"]) is combined
