"""A fake holder agent that also answers the terms plugin's admin routes (messages in memory)."""

import json
import re

import httpx

from .fake_agent import FakeAcaPy

# A firm's terms for a proof request on thread "p-1": marketing, 0.50 EUR.
WINE_OFFER = {
    "purpose": "marketing",
    "purpose_text": "Wine offers",
    "legal_basis": "consent",
    "retention": "P30D",
    "onward_sharing": True,
    "price": {"amount": "0.50", "currency": "EUR"},
    "request_thread_id": "p-1",
    "revision": 0,
    "firm_key": "did:key:z6Mk",
}


class FakeTermsAcaPy(FakeAcaPy):
    """`FakeAcaPy` plus /tessera-terms/messages and /tessera-terms/send."""

    def __init__(self):
        """Start with no terms messages."""
        super().__init__()
        self.messages = []

    def add_message(self, **record):
        """Store a terms message record (defaults: received, accepted)."""
        record.setdefault("direction", "received")
        record.setdefault("status", "accepted")
        record.setdefault("reason", "")
        record.setdefault("thread_id", "t-1")
        record.setdefault("created_at", f"2026-11-{len(self.messages) + 1:02d}T00:00:00Z")
        record.setdefault("record_id", f"m-{len(self.messages) + 1}")
        self.messages.append(record)
        return record

    def add_receipt(self, receipt, countersigned=True, connection_id="conn-verifier"):
        """Store a receipt the person sent and, unless told not, the firm's countersignature."""
        kinds = [("receipt", "sent")] + ([("countersigned", "received")] if countersigned else [])
        for kind, direction in kinds:
            self.add_message(
                kind=kind,
                direction=direction,
                connection_id=connection_id,
                receipt_id=receipt["receipt_id"],
                body={"receipt": receipt},
            )

    def handle(self, request):
        """Answer terms routes; the rest as `FakeAcaPy`."""
        path = request.url.path
        if path == "/tessera-terms/messages":
            query = dict(request.url.params)
            found = [m for m in self.messages if all(str(m.get(k)) == v for k, v in query.items())]
            return httpx.Response(200, json={"results": found})
        if path == "/tessera-terms/send":
            body = json.loads(request.content)
            self.posted.append(("POST", path, body))
            record = self.add_message(
                kind=body["kind"],
                direction="sent",
                connection_id=body["connection_id"],
                thread_id=body.get("thread_id") or "t-new",
                body=body["body"],
                receipt_id=body["body"].get("receipt_id", ""),  # as the plugin's records do
            )
            return httpx.Response(200, json=record)
        match = re.fullmatch(r"/connections/([^/]+)", path)
        if match and match.group(1) in self.connections:
            return httpx.Response(200, json=self.connections[match.group(1)])
        return super().handle(request)
