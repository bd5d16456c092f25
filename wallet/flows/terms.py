"""The controller's side of the terms plugin: send messages, read them, wait for them."""

from ..errors import FlowError

TOPICS = ("tessera_terms",)
# What the terms plugin keeps when the other party's agent answers a terms message we sent
# with a problem report (`wallet/terms/v1_0/problems.py`).
PROBLEM = "problem-report"


def send(agent, connection_id, kind, body, thread_id=None, unchecked=False):
    """Send a terms message of `kind`; return the stored record (with its thread id)."""
    payload = {"connection_id": connection_id, "kind": kind, "body": body}
    if thread_id:
        payload["thread_id"] = thread_id
    if unchecked:
        payload["unchecked"] = True
    return agent.admin.post("/tessera-terms/send", payload)


def messages(agent, **filters):
    """Return terms messages sent and received, oldest first, filtered by tag."""
    params = {k: v for k, v in filters.items() if v not in (None, "")}
    return agent.admin.get("/tessera-terms/messages", **params)["results"]


def wait_message(agent, timeout=30.0, accepted=True, match=None, **filters):
    """Wait for a received message matching `filters` (and `match(record)`); return the newest.

    With `accepted=True`, a rejected match raises FlowError carrying the reason.
    """
    keep = match or (lambda record: True)
    found = agent.wait(
        lambda: [m for m in messages(agent, direction="received", **filters) if keep(m)],
        bool,
        what=f"terms message {filters}",
        topics=TOPICS,
        timeout=timeout,
    )
    record = found[-1]
    if accepted and record["status"] != "accepted":
        raise FlowError(f"The {record['kind']} message was refused: {record['reason']}")
    return record


def refusals(agent, **filters):
    """Return the problem reports kept about terms messages we sent, oldest first."""
    return messages(agent, kind=PROBLEM, direction="received", **filters)


def uses_terms(agent, connection_id):
    """Return False once the other party's agent said it cannot read Tessera terms."""
    return not any(
        r["body"].get("not_supported") for r in refusals(agent, connection_id=connection_id)
    )
