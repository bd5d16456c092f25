"""A typed client for one ACA-Py agent's admin API, with one request choke point."""

import json

import httpx

from ..errors import AgentError

DEFAULT_TIMEOUT = 30.0


class AdminClient:
    """Client for one agent's admin API; every call goes through `request()`."""

    def __init__(self, base_url, api_key=None, token=None, timeout=DEFAULT_TIMEOUT, transport=None):
        """Prepare a pooled HTTP client; nothing is sent until the first call."""
        headers = {}
        if api_key:
            headers["x-api-key"] = api_key
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        # Called when the agent gives no answer; may return the error to raise instead
        # (the wallet's supervisor: "reconnecting" while it restarts a dead agent).
        self.on_no_answer = None
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def close(self):
        """Close pooled connections."""
        self._http.close()

    def __enter__(self):
        """Use as a context manager."""
        return self

    def __exit__(self, *exc):
        """Close on exit."""
        self.close()

    def request(self, method, path, *, json_body=None, params=None, timeout=None):
        """Send one admin API call and return its decoded JSON body.

        Raises `AgentError` (method, URL, status, body) on a non-2xx answer or none.
        """
        url = self.base_url + path
        kwargs = {"params": params}
        if json_body is not None:
            kwargs["json"] = json_body
        if timeout is not None:
            kwargs["timeout"] = timeout
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            instead = self.on_no_answer() if self.on_no_answer is not None else None
            if instead is not None:
                raise instead from exc
            raise AgentError(method, url, None, f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise AgentError(method, url, response.status_code, response.text)
        if not response.content:
            return {}
        try:
            return response.json()
        except json.JSONDecodeError as exc:
            raise AgentError(method, url, response.status_code, response.text) from exc

    def get(self, path, **params):
        """GET `path` with query parameters."""
        return self.request("GET", path, params=params or None)

    def post(self, path, body=None, **params):
        """POST a JSON body to `path`."""
        return self.request(
            "POST", path, json_body=body if body is not None else {}, params=params or None
        )

    def delete(self, path):
        """DELETE `path`."""
        return self.request("DELETE", path)

    # Status
    def ready(self):
        """Return True when the agent answers /status/ready with ready=true."""
        return bool(self.get("/status/ready").get("ready"))

    def status_config(self):
        """Return the configuration the agent runs with."""
        return self.get("/status/config").get("config", {})
