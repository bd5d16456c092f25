"""What the controller makes of the registry's check route: refused, unreachable, silent."""

import json
from types import SimpleNamespace

import pytest

from wallet.errors import AgentError, UntrustedRegistryObject
from wallet.flows.registry_check import presented_ids, untrusted

HOST = "issuer.tessera.localhost"


class Admin:
    """Answers the check route from a table {object id: (status, body)}."""

    def __init__(self, answers):
        """Keep the table."""
        self.answers = answers

    def get(self, path, **params):
        """Answer GET /tessera/registry/check?id=..."""
        status, body = self.answers[params["id"]]
        if status != 200:
            raise AgentError("GET", path, status, body)
        return json.loads(body)


def reason(text, **extra):
    return json.dumps({"ok": False, "reason": text, **extra})


@pytest.mark.parametrize(
    ("status", "body", "refused", "unreachable"),
    [
        (200, json.dumps({"ok": True}), False, False),
        (422, reason("x failed its integrity check"), True, False),
        (404, reason("not published there"), True, False),
        (503, reason(f"{HOST} cannot be reached right now", host=HOST), True, True),
        (404, "404: Not Found", False, False),  # an agent without the route says nothing
        (400, reason("not a did:webvh id"), False, False),
    ],
)
def test_check_answers(status, body, refused, unreachable):
    agent = SimpleNamespace(admin=Admin({"id-1": (status, body)}))
    found = untrusted(agent, ["id-1"])
    assert ("id-1" in found) is refused
    assert ("id-1" in found.unreachable) is unreachable


def test_other_failures_are_not_hidden():
    agent = SimpleNamespace(admin=Admin({"id-1": (500, "boom")}))
    with pytest.raises(AgentError):
        untrusted(agent, ["id-1"])


def test_the_person_reads_cannot_be_checked_now_only_when_no_issuer_answered():
    down = {"a": f"The issuer's host {HOST} cannot be reached right now (refused)"}
    message = str(UntrustedRegistryObject(down, unreachable={"a"}))
    assert message.startswith("Nothing was sent: this firm's credential type cannot be checked")
    assert message.endswith("Try again later.") and HOST in message
    mixed = {**down, "b": "b failed its integrity check"}
    assert "cannot be trusted" in str(UntrustedRegistryObject(mixed, unreachable={"a"}))
    assert "cannot be trusted" in str(UntrustedRegistryObject({"b": "tampered"}))


def test_presented_ids_are_read_from_the_verifiers_record():
    record = {
        "by_format": {
            "pres": {
                "anoncreds": {
                    "identifiers": [
                        {"schema_id": "s", "cred_def_id": "c", "rev_reg_id": None},
                        {"schema_id": "s", "cred_def_id": "d", "rev_reg_id": "r", "timestamp": 1},
                    ]
                }
            }
        }
    }
    assert presented_ids(record) == {"s", "c", "d", "r"}
    assert presented_ids({}) == set()
