"""The admin client's one choke point: what it returns and the errors it raises."""

import httpx
import pytest

from wallet.agent.admin import AdminClient
from wallet.errors import AgentError


def client_with(handler, **kwargs):
    return AdminClient("http://127.0.0.1:9", transport=httpx.MockTransport(handler), **kwargs)


def test_api_key_and_json_body_are_sent():
    seen = {}

    def handler(request):
        seen["key"] = request.headers.get("x-api-key")
        seen["body"] = request.content
        seen["query"] = dict(request.url.params)
        return httpx.Response(200, json={"ok": True})

    with client_with(handler, api_key="k3y") as client:
        assert client.post("/x", {"a": 1}, auto_accept="true") == {"ok": True}
    assert seen == {"key": "k3y", "body": b'{"a":1}', "query": {"auto_accept": "true"}}


def test_bearer_token_is_sent_for_a_tenant():
    def handler(request):
        return httpx.Response(200, json={"auth": request.headers.get("authorization")})

    with client_with(handler, token="t0k") as client:
        assert client.get("/y") == {"auth": "Bearer t0k"}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, "Predicate is not satisfied"),
        (401, "Unauthorized"),
        (404, '{"message": "not found"}'),
        (500, "x" * 2000),
    ],
)
def test_non_2xx_raises_agent_error_with_method_url_status_body(status, body):
    client = client_with(lambda request: httpx.Response(status, text=body))
    with client, pytest.raises(AgentError) as caught:
        client.post("/present-proof-2.0/records/abc/send-presentation", {})
    err = caught.value
    assert (err.method, err.status, err.body) == ("POST", status, body)
    assert err.url == "http://127.0.0.1:9/present-proof-2.0/records/abc/send-presentation"
    assert f"HTTP {status}" in str(err)
    assert len(str(err)) < 700


def test_no_answer_raises_agent_error_without_status():
    def handler(request):
        raise httpx.ConnectError("Connection refused", request=request)

    with client_with(handler) as client, pytest.raises(AgentError) as caught:
        client.get("/status/ready")
    assert caught.value.status is None
    assert "no answer from the agent" in str(caught.value)


def test_2xx_that_is_not_json_raises_agent_error():
    client = client_with(lambda request: httpx.Response(200, text="<html>"))
    with client, pytest.raises(AgentError):
        client.get("/status")


def test_empty_2xx_body_is_an_empty_dict():
    with client_with(lambda request: httpx.Response(200)) as client:
        assert client.delete("/connections/1") == {}
