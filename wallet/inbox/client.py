"""Talk to a running inbox process: count waiting envelopes, deliver on unlock, hold on lock.

`register_keys_async` is the call the holder agent's plugin makes (inside ACA-Py's event
loop) to tell the inbox which recipient keys are the person's.
"""

import httpx

from ..errors import AgentError
from .pending import Pending

DEFAULT_TIMEOUT = 130.0


class InboxClient:
    """Control client for the inbox service (loopback, with its control key)."""

    def __init__(self, base_url, control_key, timeout=DEFAULT_TIMEOUT, transport=None):
        """Prepare a pooled client; nothing is sent until the first call."""
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"x-api-key": control_key},
            timeout=timeout,
            transport=transport,
        )

    def close(self):
        """Close pooled connections."""
        self._http.close()

    def request(self, method, path, body=None):
        """Send one control call; return its JSON. Raises `AgentError` on non-2xx or no answer."""
        url = self.base_url + path
        try:
            response = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise AgentError(method, url, None, f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise AgentError(method, url, response.status_code, response.text)
        return response.json()

    def healthy(self):
        """Return True when the inbox answers /health."""
        try:
            return bool(self.request("GET", "/health").get("ok"))
        except AgentError:
            return False

    def pending(self, person_id):
        """Return the person's `Pending` numbers (count, bytes, failed)."""
        data = self.request("GET", f"/control/{person_id}")
        return Pending(data["count"], data["bytes"], data["failed"])

    def pending_count(self, person_id):
        """Return how many envelopes wait for the person (for the lock screen)."""
        return self.pending(person_id).count

    def deliver_now(self, person_id):
        """Release delivery and deliver everything waiting (call on unlock); return the report."""
        return self.request("POST", f"/control/{person_id}/deliver")

    def register(self, person_id, deliver_to):
        """Serve the person's id and deliver to `deliver_to` (idempotent; call on unlock)."""
        return self.request("POST", f"/control/{person_id}/register", {"deliver_to": deliver_to})

    def hold(self, person_id):
        """Hold delivery (call on lock, before the agent stops)."""
        return self.request("POST", f"/control/{person_id}/hold")

    def register_keys(self, person_id, kids):
        """Add the person's recipient keys; return {"added", "keys"}."""
        return self.request("POST", f"/control/{person_id}/keys", {"keys": list(kids)})


async def register_keys_async(base_url, control_key, person_id, kids, timeout=3.0):
    """Register recipient keys with the inbox from an event loop; raise `AgentError` on failure."""
    url = f"{base_url.rstrip('/')}/control/{person_id}/keys"
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            response = await http.post(
                url, json={"keys": list(kids)}, headers={"x-api-key": control_key}
            )
    except httpx.HTTPError as exc:
        raise AgentError("POST", url, None, f"{type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise AgentError("POST", url, response.status_code, response.text[:300])
    return response.json()
