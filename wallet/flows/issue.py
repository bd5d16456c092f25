"""Publish schemas and credential definitions, offer, accept and issue credentials."""

import datetime

from ..agent.webhooks import PayloadIs
from ..errors import FlowError
from ..schemas import check_values
from .anoncreds import cred_defs, issuer_id_of, key_dids, publishes_on_webvh, schema_ids
from .records import CredExchange

TOPICS = ("issue_credential_v2_0", "issue_credential_v2_0_anoncreds")
CREDENTIAL_PREVIEW = "issue-credential/2.0/credential-preview"


def issuer_id(issuer):
    """Return the issuer's id: its did:webvh DID when its agent publishes there, else its
    `did:tessera:` id; either is created on first use."""
    if publishes_on_webvh(issuer):
        return issuer.admin.post("/tessera/webvh/did", {})["did"]
    dids = key_dids(issuer)
    if dids:
        return issuer_id_of(dids[0])
    created = issuer.admin.post(
        "/wallet/did/create", {"method": "key", "options": {"key_type": "ed25519"}}
    )
    return issuer_id_of(created["result"]["did"])


def publish_schema(issuer, issuer_did, schema):
    """Publish a `CredentialSchema` (or reuse the one already published); return its id."""
    existing = schema_ids(issuer, issuer_did, schema)
    if existing:
        return existing[0]
    body = {
        "schema": {
            "attrNames": schema.attr_names,
            "issuerId": issuer_did,
            "name": schema.name,
            "version": schema.version,
        },
        "options": {},
    }
    state = issuer.admin.post("/anoncreds/schema", body)["schema_state"]
    if state.get("state") != "finished":
        raise FlowError(f"Publishing schema {schema.name} ended as {state.get('state')}.")
    return state["schema_id"]


def create_cred_def(
    issuer,
    issuer_did,
    schema_id,
    tag="default",
    revocation=False,
    registry_size=None,
    timeout=120.0,
):
    """Create a credential definition for `schema_id` (or reuse the one with `tag`)."""
    for cred_def_id, existing in cred_defs(issuer, issuer_did, schema_id):
        if existing == tag:
            return cred_def_id
    options = {"support_revocation": revocation}
    if registry_size is not None:
        options["revocation_registry_size"] = int(registry_size)
    body = {
        "credential_definition": {"issuerId": issuer_did, "schemaId": schema_id, "tag": tag},
        "options": options,
    }
    answer = issuer.admin.request(
        "POST", "/anoncreds/credential-definition", json_body=body, timeout=timeout
    )
    state = answer["credential_definition_state"]
    if state.get("state") != "finished":
        raise FlowError(f"Creating the credential definition ended as {state.get('state')}.")
    return state["credential_definition_id"]


def offer_credential(issuer, connection_id, cred_def_id, schema, values, comment=None):
    """Offer a credential of `schema` with `values` (checked first); return the exchange id."""
    return _offer(issuer, connection_id, cred_def_id, schema, values, comment)["cred_ex_id"]


def _offer(issuer, connection_id, cred_def_id, schema, values, comment=None):
    """Offer as `offer_credential` does; return the issuer's exchange record."""
    checked = check_values(schema, values)
    body = {
        "connection_id": connection_id,
        "credential_preview": {
            "@type": CREDENTIAL_PREVIEW,
            "attributes": [{"name": k, "value": v} for k, v in checked.items()],
        },
        "filter": {"anoncreds": {"cred_def_id": cred_def_id}},
        "auto_remove": False,
    }
    if comment:
        body["comment"] = comment
    return issuer.admin.post("/issue-credential-2.0/send-offer", body)


def offer_again(issuer, record, reason):
    """Issuer: offer the same values again where an offer was never answered.

    The new offer goes on the same connection for the same credential definition, then
    the first exchange ends with a problem report stating `reason` (a wallet that did
    receive it sees it withdrawn). Returns the new exchange id.
    """
    record = CredExchange.from_agent(record)
    offer = (record.by_format.get("cred_offer") or {}).get("anoncreds") or {}
    if record.state != "offer-sent" or not record.connection_id or not offer.get("cred_def_id"):
        raise FlowError(
            f"Exchange {record.cred_ex_id} is {record.state}, not an offer sent over a "
            "connection: there is nothing to offer again."
        )
    body = {
        "connection_id": record.connection_id,
        "credential_preview": {
            "@type": CREDENTIAL_PREVIEW,
            "attributes": [{"name": k, "value": v} for k, v in record.values.items()],
        },
        "filter": {"anoncreds": {"cred_def_id": offer["cred_def_id"]}},
        "auto_remove": False,
    }
    if record.comment:
        body["comment"] = record.comment
    sent = issuer.admin.post("/issue-credential-2.0/send-offer", body)
    issuer.admin.post(
        f"/issue-credential-2.0/records/{record.cred_ex_id}/problem-report",
        {"description": reason},
    )
    return sent["cred_ex_id"]


def _record(agent, cred_ex_id):
    return agent.admin.get(f"/issue-credential-2.0/records/{cred_ex_id}")


class _Detail:
    """An exchange's detail as its webhooks tell it, in the shape of `_record`'s answer.

    ACA-Py sends the exchange record (topic issue_credential_v2_0, state and ids even
    without --debug-webhooks) and its AnonCreds detail (issue_credential_v2_0_anoncreds,
    with `cred_id_stored`) as separate events; this keeps the latest of each, so a
    waiter needs no admin call for what the events already said. Webhooks may arrive
    out of order, so "latest" is by the record's `updated_at`, not by arrival.
    """

    def __init__(self):
        """Start with nothing heard."""
        self.detail = {"cred_ex_record": {}, "anoncreds": None}

    def __call__(self, payload):
        """Fold one event in; return the detail so far."""
        key = "anoncreds" if "cred_ex_anoncreds_id" in payload else "cred_ex_record"
        known = self.detail[key] or {}
        if _updated(payload) >= _updated(known):
            self.detail = {**self.detail, key: payload}
        return self.detail


def _updated(record):
    """Return when a record was last saved (ACA-Py's ISO time; the epoch if unknown)."""
    try:
        return datetime.datetime.fromisoformat(record["updated_at"])
    except (KeyError, TypeError, ValueError):
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _state_is(*wanted):
    def done(detail):
        record = detail["cred_ex_record"]
        state = record.get("state")
        if state in ("abandoned", "declined") or record.get("error_msg"):
            raise FlowError(
                f"Credential exchange {record.get('cred_ex_id')} ended as {state}: "
                f"{record.get('error_msg') or 'no reason given'}"
            )
        return state in wanted

    return done


def records(agent, **filters):
    """Return the exchange records (`CredExchange`s) matching `filters` (role, state, thread)."""
    found = agent.admin.get("/issue-credential-2.0/records", **filters)["results"]
    return [CredExchange.from_agent(item) for item in found]


def record(agent, cred_ex_id):
    """Return one exchange record (`CredExchange`) by id."""
    return CredExchange.from_agent(_record(agent, cred_ex_id))


def offers(holder):
    """Return the holder's credential offers (`CredExchange`s) waiting for the person's answer."""
    return records(holder, role="holder", state="offer-received")


def wait_offer(holder, thread_id, timeout=30.0):
    """Wait until the holder has received the offer of thread `thread_id`; return its id."""
    found = holder.wait(
        lambda: holder.admin.get("/issue-credential-2.0/records", thread_id=thread_id)["results"],
        lambda rs: any(r["cred_ex_record"].get("state") == "offer-received" for r in rs),
        what=f"credential offer {thread_id}",
        topics=TOPICS[:1],
        match=PayloadIs("thread_id", thread_id),
        from_event=lambda payload: [{"cred_ex_record": payload}],
        timeout=timeout,
    )
    record = next(r for r in found if r["cred_ex_record"].get("state") == "offer-received")
    return record["cred_ex_record"]["cred_ex_id"]


def accept_offer(holder, cred_ex_id, timeout=60.0):
    """Ask for the offered credential, wait until it is stored, return its credential id."""
    holder.admin.post(f"/issue-credential-2.0/records/{cred_ex_id}/send-request", {})
    detail = holder.wait(
        lambda: _record(holder, cred_ex_id),
        lambda d: _state_is("done")(d) and (d.get("anoncreds") or {}).get("cred_id_stored"),
        what=f"credential of exchange {cred_ex_id} to be stored",
        topics=TOPICS,
        match=PayloadIs("cred_ex_id", cred_ex_id),
        from_event=_Detail(),
        timeout=timeout,
    )
    return detail["anoncreds"]["cred_id_stored"]


def decline_offer(holder, cred_ex_id, reason):
    """Decline an offer with a problem report stating `reason`."""
    holder.admin.post(
        f"/issue-credential-2.0/records/{cred_ex_id}/problem-report", {"description": reason}
    )


def issue(issuer, holder, connection_id, cred_def_id, schema, values, timeout=60.0):
    """Offer from `issuer`, accept at `holder`; return the holder's credential id."""
    offered = _offer(issuer, connection_id, cred_def_id, schema, values)
    cred_ex_id, thread_id = offered["cred_ex_id"], offered["thread_id"]
    theirs = wait_offer(holder, thread_id, timeout=timeout)
    cred_id = accept_offer(holder, theirs, timeout=timeout)
    issuer.wait(
        lambda: _record(issuer, cred_ex_id),
        _state_is("done"),
        what=f"issuance {cred_ex_id} to finish",
        topics=TOPICS,
        match=PayloadIs("cred_ex_id", cred_ex_id),
        from_event=_Detail(),
        timeout=timeout,
    )
    return cred_id
