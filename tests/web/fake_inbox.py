"""Fakes for the wallet's inbox and revocation features: an inbox client, a revocable agent."""

import re

import httpx

from wallet.errors import AgentError

from .fake_agent import FakeAcaPy


class FakeInbox:
    """Stands in for `InboxClient`: records calls; `down` makes every call fail like no answer."""

    def __init__(self, waiting=0):
        """Start with `waiting` envelopes queued, the inbox up."""
        self.waiting = waiting
        self.down = False
        self.held = False
        self.calls = []
        self.on_deliver = None

    def _call(self, name, person_id):
        self.calls.append(name)
        if self.down:
            raise AgentError("POST", f"http://127.0.0.1:9/control/{person_id}", None, "refused")

    def pending_count(self, person_id):
        """Return how many envelopes wait."""
        self._call("pending_count", person_id)
        return self.waiting

    def hold(self, person_id):
        """Hold delivery."""
        self._call("hold", person_id)
        self.held = True
        return {}

    def register(self, person_id, deliver_to):
        """Record which agent the person's envelopes go to."""
        self._call("register", person_id)
        self.deliver_to = deliver_to
        return {"registered": person_id}

    def deliver_now(self, person_id):
        """Deliver what waits (through `on_deliver`, if set)."""
        self._call("deliver_now", person_id)
        delivered, self.waiting, self.held = self.waiting, 0, False
        if self.on_deliver is not None:
            self.on_deliver()
        return {"delivered": delivered, "rejected": 0, "remaining": 0, "reachable": True}


class RevocableAcaPy(FakeAcaPy):
    """The fake holder agent plus revocable credentials and `GET /credential/revoked/{id}`."""

    def __init__(self):
        """Start with nothing revoked."""
        super().__init__()
        self.revoked = set()
        self.revocation_checks = []
        self.registry_down = False

    def add_revocable(self, values, rev_reg_id="did:tessera:z/revreg/1"):
        """Store a revocable credential; return its id."""
        cred_id = self.add_credential(values)
        self.credentials[cred_id]["rev_reg_id"] = rev_reg_id
        self.credentials[cred_id]["cred_rev_id"] = cred_id.rsplit("-", 1)[1]
        return cred_id

    def handle(self, request):
        """Answer revocation checks; everything else as `FakeAcaPy`."""
        match = re.fullmatch(r"/credential/revoked/(?P<id>[^/]+)", request.url.path)
        if request.method == "GET" and match:
            cred_id = match.group("id")
            self.revocation_checks.append((cred_id, request.url.params.get("to")))
            if self.registry_down:
                return httpx.Response(500, text="revocation registry unreachable")
            if cred_id not in self.credentials:
                return httpx.Response(404, text="not found")
            return httpx.Response(200, json={"revoked": cred_id in self.revoked})
        return super().handle(request)
