"""A fake admin client for console unit tests: canned answers, every call recorded."""

from wallet.agent.handle import Agent
from wallet.errors import AgentError

ISSUER_DID = "did:tessera:z6MkjNAU5boZJm4TfFSuBsGfjVSnd8LpbfrhKWVqS2FYJ8NJ"
CRED_DEF = ISSUER_DID + "/creddef/H28TZfXVcMXzereJyV8kxHah9zVfYzkt3zDgWXabTpCm"
CONNECTION = {"connection_id": "conn-1", "state": "active", "alias": "Alice", "created_at": "x"}


class FakeAdmin:
    """Answers the reads the consoles make; records writes."""

    def __init__(self):
        """Start with no calls."""
        self.calls = []

    def get(self, path, **params):
        """Answer a GET."""
        self.calls.append(("GET", path))
        if path == "/connections":
            return {"results": [CONNECTION]}
        if path == "/wallet/did":
            return {"results": [{"did": "did:key:" + ISSUER_DID.rsplit(":", 1)[1]}]}
        if path == "/anoncreds/schemas":
            return {"schema_ids": [f"{ISSUER_DID}/schema/{params['schema_name']}"]}
        if path == "/anoncreds/credential-definitions":
            return {"credential_definition_ids": [CRED_DEF]}
        if path.startswith("/anoncreds/credential-definition/"):
            return {"credential_definition": {"tag": "default", "schemaId": "s"}}
        if path.startswith("/anoncreds/schema/"):
            return {"schema": {"name": "employment_income"}}
        if path.endswith("/records"):
            return {"results": []}
        raise AgentError("GET", path, 404, "not found")

    def post(self, path, body=None, **params):
        """Record a POST; answer like ACA-Py would."""
        self.calls.append(("POST", path))
        if path == "/out-of-band/create-invitation":
            return {"invitation_url": "http://127.0.0.1:1/?oob=e30", "invitation": {}}
        return {
            "cred_ex_id": "ex-1",
            "pres_ex_id": "00000000-0000-0000-0000-000000000001",
            "thread_id": "t",
        }

    def status_config(self):
        """Return an agent config without a tails server."""
        return {}

    def writes(self):
        """Return the POSTs made."""
        return [c for c in self.calls if c[0] == "POST"]


def fake_agent(role):
    """Return an `Agent` over a `FakeAdmin`."""
    return Agent(role, FakeAdmin())
