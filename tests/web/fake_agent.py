"""A fake holder agent at the HTTP boundary: an in-memory ACA-Py admin API (MockTransport).

Like ACA-Py, it posts a webhook to the wallet's hub whenever an exchange record it
keeps changes state (while it runs): the wallet learns what waits from those.
"""

import base64
import hashlib
import json
import re

import httpx

from wallet.agent.admin import AdminClient
from wallet.holder.errors import WrongPassphrase

NATIONAL_ID = {
    "given_name": "Alice",
    "family_name": "Martinez-Oyelaran",
    "birthdate_dateint": "19900415",
    "nationality": "FR",
    "address_country": "FR",
    "address_city": "Villeurbanne",
}
INCOME = {
    "employer": "Acme Robotics SA",
    "job_title": "Firmware engineer",
    "annual_income": "52750",
    "employed_since_dateint": "20180901",
}
AGE_INCOME_REQUEST = {
    "name": "Age, nationality and income check",
    "version": "1.0",
    "requested_attributes": {"nationality": {"name": "nationality", "restrictions": [{}]}},
    "requested_predicates": {
        "adult": {"name": "birthdate_dateint", "p_type": "<=", "p_value": 20081129},
        "income": {"name": "annual_income", "p_type": ">=", "p_value": 30000},
    },
}


def invitation_url(label="Acme Bank", endpoint="http://127.0.0.1:9"):
    """Return an OOB invitation URL (never contacted: the fake agent only records it)."""
    body = {
        "@type": "https://didcomm.org/out-of-band/1.1/invitation",
        "@id": "inv-1",
        "label": label,
        "handshake_protocols": ["https://didcomm.org/didexchange/1.1"],
        "services": [
            {
                "id": "#inline",
                "type": "did-communication",
                "recipientKeys": ["did:key:z6Mk"],
                "serviceEndpoint": endpoint,
            }
        ],
    }
    oob = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return f"http://127.0.0.1:9/?oob={oob}"


class _Changes(dict):
    """Credentials by id, counting stores and deletions (`GET /tessera/credentials/changes`)."""

    changes = 0

    def __setitem__(self, key, value):
        self.changes += 1
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self.changes += 1
        super().__delitem__(key)

    def pop(self, key, *default):
        self.changes += 1
        return super().pop(key, *default)


class FakeAcaPy:
    """Just enough of ACA-Py's admin API for the wallet's pages, kept in memory."""

    def __init__(self):
        """Start with two firms connected and nothing else."""
        self.connections = {
            "conn-issuer": {
                "connection_id": "conn-issuer",
                "their_label": "Acme Registry",
                "state": "active",
                "created_at": "2026-01-01T00:00:00Z",
            },
            "conn-verifier": {
                "connection_id": "conn-verifier",
                "their_label": "Bank of Tests",
                "state": "active",
                "created_at": "2026-01-01T00:00:00Z",
            },
        }
        self.offers = {}
        self.credentials = _Changes()  # counts stores and deletions, as wallet.speedups does
        self.epoch = "fake"  # the agent process, in that count
        self.requests = {}
        self.posted = []
        self.unreachable_issuer = None  # a host name: the registry cannot reach that issuer
        self.webhook_url = None  # set while "running": where state changes are posted
        self.listings = 0  # full listings of the proof exchange records
        self.credential_listings = 0  # GET /credentials calls
        self.askar_order = False  # list credentials as Askar does, not in the order stored
        self._n = 0
        self._saved = 0

    def _saved_at(self):
        """Return a new `updated_at`, later than every earlier one (as ACA-Py's saves)."""
        self._saved += 1
        return f"2026-02-02T10:00:00.{self._saved:06d}Z"

    def emit(self, topic, record):
        """Post `record` to the wallet's hub as ACA-Py's webhook of `topic` (if running)."""
        if self.webhook_url is None:
            return
        url, _, key = self.webhook_url.partition("#")
        answer = httpx.post(f"{url}/topic/{topic}/", json=record, headers={"x-api-key": key})
        answer.raise_for_status()

    def save_request(self, pres_ex_id, **changes):
        """Change a proof request record as ACA-Py would save it: a new time and a webhook."""
        record = self.requests[pres_ex_id]
        record.update(changes, updated_at=self._saved_at())
        self.emit("present_proof_v2_0", record)

    def save_offer(self, cred_ex_id, **changes):
        """Change an offer's exchange record as ACA-Py would save it."""
        record = self.offers[cred_ex_id]
        record.update(changes, updated_at=self._saved_at())
        self.emit("issue_credential_v2_0", record)

    def _id(self, prefix):
        self._n += 1
        return f"{prefix}-{self._n}"

    def add_offer(self, values, conn="conn-issuer"):
        """Receive an offer of `values`; return its id."""
        cred_ex_id = self._id("cx")
        attrs = [{"name": k, "value": v} for k, v in values.items()]
        self.offers[cred_ex_id] = {
            "cred_ex_id": cred_ex_id,
            "connection_id": conn,
            "state": "offer-received",
            "created_at": f"2026-02-0{self._n % 9 + 1}T00:00:00Z",
            "role": "holder",
            "cred_offer": {"credential_preview": {"attributes": attrs}},
            "by_format": {"cred_offer": {"anoncreds": {"schema_id": "s", "cred_def_id": "cd"}}},
        }
        self.save_offer(cred_ex_id)
        return cred_ex_id

    def add_credential(self, values, cred_def_id="cd"):
        """Store a credential directly (no webhook, as if stored while locked); return its id."""
        cred_id = self._id("cred")
        self.credentials[cred_id] = {
            "referent": cred_id,
            "attrs": dict(values),
            "schema_id": "s",
            "cred_def_id": cred_def_id,
            "rev_reg_id": None,
        }
        return cred_id

    def add_request(self, request=AGE_INCOME_REQUEST, conn="conn-verifier"):
        """Receive a proof request; return its id."""
        pres_ex_id = self._id("px")
        self.requests[pres_ex_id] = {
            "pres_ex_id": pres_ex_id,
            "thread_id": f"thread-{pres_ex_id}",
            "connection_id": conn,
            "state": "request-received",
            "role": "prover",
            "created_at": "2026-03-01T00:00:00Z",
            "by_format": {"pres_request": {"anoncreds": request}},
        }
        self.save_request(pres_ex_id)
        return pres_ex_id

    def _candidates(self, pres_ex_id):
        request = self.requests[pres_ex_id]["by_format"]["pres_request"]["anoncreds"]
        result = []
        for cred in self.credentials.values():
            refs = [
                r
                for r, item in request["requested_attributes"].items()
                if all(n in cred["attrs"] for n in item.get("names", [item.get("name")]))
            ]
            refs += [
                r
                for r, item in request["requested_predicates"].items()
                if item["name"] in cred["attrs"]
            ]
            if refs:
                result.append({"cred_info": cred, "presentation_referents": refs})
        return result

    def handle(self, request):
        """Answer one admin API call."""
        path, query = request.url.path, dict(request.url.params)
        body = json.loads(request.content) if request.content else None
        if request.method in ("POST", "DELETE"):
            self.posted.append((request.method, path, body))
        if self.unreachable_issuer is not None:
            down = self._issuer_down(request.method, path)
            if down is not None:
                return down
        routes = [
            ("GET", r"/connections", self._connections),
            ("POST", r"/out-of-band/receive-invitation", self._receive),
            ("POST", r"/out-of-band/create-invitation", self._create_invitation),
            ("GET", r"/issue-credential-2.0/records", self._offers),
            ("GET", r"/issue-credential-2.0/records/(?P<id>[^/]+)", self._offer),
            ("POST", r"/issue-credential-2.0/records/(?P<id>[^/]+)/send-request", self._accept),
            (
                "POST",
                r"/issue-credential-2.0/records/(?P<id>[^/]+)/problem-report",
                self._decline_offer,
            ),
            ("GET", r"/credentials", self._credentials),
            ("GET", r"/credential/(?P<id>[^/]+)", lambda q, b, id: self.credentials[id]),
            ("DELETE", r"/credential/(?P<id>[^/]+)", self._delete),
            ("POST", r"/tessera/credentials/read", self._read_credentials),
            (
                "GET",
                r"/tessera/credentials/changes",
                lambda q, b: {"epoch": self.epoch, "changes": self.credentials.changes},
            ),
            ("GET", r"/present-proof-2.0/records", self._requests),
            (
                "GET",
                r"/present-proof-2.0/records/(?P<id>[^/]+)",
                lambda q, b, id: self.requests[id],
            ),
            (
                "GET",
                r"/present-proof-2.0/records/(?P<id>[^/]+)/credentials",
                lambda q, b, id: self._candidates(id),
            ),
            (
                "POST",
                r"/present-proof-2.0/records/(?P<id>[^/]+)/send-presentation",
                lambda q, b, id: self._answer(id, "presentation-sent"),
            ),
            (
                "POST",
                r"/present-proof-2.0/records/(?P<id>[^/]+)/problem-report",
                lambda q, b, id: self._answer(id, "abandoned"),
            ),
        ]
        for method, pattern, func in routes:
            match = re.fullmatch(pattern, path)
            if method == request.method and match:
                try:
                    return httpx.Response(200, json=func(query, body, **match.groupdict()))
                except KeyError:
                    return httpx.Response(404, text="not found")
        return httpx.Response(404, text=f"fake agent has no {request.method} {path}")

    def _issuer_down(self, method, path):
        """Answer as ACA-Py with the did:webvh registry does when the issuer's host is down."""
        host = self.unreachable_issuer
        if method == "GET" and path == "/tessera/registry/check":
            reason = f"The issuer's host {host} cannot be reached right now (connection refused)"
            return httpx.Response(503, json={"ok": False, "reason": reason, "host": host})
        if method == "POST" and path.endswith("/send-presentation"):
            return httpx.Response(500, text="500: Internal Server Error")
        return None

    def _read_credentials(self, query, body):
        """`wallet.speedups`' read by ids: each one's info, or None when it is gone."""
        return {"results": [self.credentials.get(i) for i in body["ids"]]}

    def _connections(self, query, body):
        return {"results": list(self.connections.values())}

    def _receive(self, query, body):
        conn = self._id("conn")
        self.connections[conn] = {
            "connection_id": conn,
            "their_label": body["label"],
            "state": "request",
            "created_at": "2026-04-01T00:00:00Z",
        }
        return {"connection_id": conn}

    def _create_invitation(self, query, body):
        # As ACA-Py does: a nameless connection record waits for a firm to use the invitation.
        conn = self._id("conn")
        self.connections[conn] = {
            "connection_id": conn,
            "state": "invitation",
            "created_at": "2026-04-02T00:00:00Z",
        }
        return {"invitation_url": invitation_url("Tessera wallet"), "invitation": {"@id": "x"}}

    def _offers(self, query, body):
        state = query.get("state")
        return {
            "results": [
                {"cred_ex_record": r, "anoncreds": {"cred_id_stored": r.get("cred_id")}}
                for r in self.offers.values()
                if state is None or r["state"] == state
            ]
        }

    def _offer(self, query, body, id):
        record = self.offers[id]
        return {"cred_ex_record": record, "anoncreds": {"cred_id_stored": record.get("cred_id")}}

    def _accept(self, query, body, id):
        record = self.offers[id]
        values = {
            a["name"]: a["value"] for a in record["cred_offer"]["credential_preview"]["attributes"]
        }
        record["cred_id"] = self.add_credential(values)
        self.emit(
            "issue_credential_v2_0_anoncreds",
            {"cred_ex_id": id, "cred_id_stored": record["cred_id"], "updated_at": self._saved_at()},
        )
        self.save_offer(id, state="done")
        return record

    def _decline_offer(self, query, body, id):
        self.save_offer(id, state="abandoned")
        return {}

    def _credentials(self, query, body):
        """List stored credentials as ACA-Py does: by `wql`, a page at a time.

        In the order stored, unless `askar_order`: then as Askar lists them, by its
        encrypted names (stable, but not the order they were stored in).
        """
        self.credential_listings += 1
        wql = json.loads(query["wql"]) if "wql" in query else {}
        found = [c for c in self.credentials.values() if _matches(wql, c)]
        if self.askar_order:
            found.sort(key=lambda c: hashlib.sha256(c["referent"].encode()).digest())
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 10))
        return {"results": found[offset : offset + limit]}

    def _delete(self, query, body, id):
        del self.credentials[id]
        return {}

    def _requests(self, query, body):
        self.listings += 1
        state = query.get("state")
        return {
            "results": [r for r in self.requests.values() if state is None or r["state"] == state]
        }

    def _answer(self, pres_ex_id, state):
        self.save_request(pres_ex_id, state=state)
        return {}


def _matches(wql, cred):
    """Return True when a stored credential matches a wallet query (the subset Tessera sends)."""
    tags = {"schema_id": cred["schema_id"], "cred_def_id": cred["cred_def_id"]}
    tags.update({f"attr::{k}::value": v for k, v in cred["attrs"].items()})
    for key, value in wql.items():
        if key == "$or" and not any(_matches(q, cred) for q in value):
            return False
        if key == "$and" and not all(_matches(q, cred) for q in value):
            return False
        if key == "$exist" and not all(name in tags for name in value):
            return False
        if not key.startswith("$") and tags.get(key) != value:
            return False
    return True


class FakeRunner:
    """Stands in for the agent process: checks the passphrase, serves `FakeAcaPy`."""

    def __init__(self, fake):
        """Serve `fake`; the first passphrase used becomes the right one."""
        self.fake = fake
        self.key = None
        self.running = False
        self.starts = 0

    def start(self, passphrase, webhook_url):
        """Start unless the passphrase is wrong."""
        self.starts += 1
        if self.key is not None and passphrase != self.key:
            raise WrongPassphrase()
        self.key = passphrase
        self.running = True
        self.fake.webhook_url = webhook_url
        return AdminClient("http://fake-holder", transport=httpx.MockTransport(self.fake.handle))

    def stop(self):
        """Stop."""
        self.running = False
        self.fake.webhook_url = None
