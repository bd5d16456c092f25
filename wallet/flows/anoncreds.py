"""Read what an agent's AnonCreds registry holds: the issuer's id, schemas and credential
definitions published, and the schema a credential definition belongs to."""

from urllib.parse import quote

from ..errors import AgentError

ISSUER_METHOD = "did:tessera:"
WEBVH_PLUGIN = "wallet.webvh"


def quote_id(object_id):
    """Return a registry id fit for an admin API path (its slashes escaped)."""
    return quote(object_id, safe="")


def key_dids(issuer):
    """Return the agent's Ed25519 did:keys, sorted (the first one is the issuer's key)."""
    found = issuer.admin.get("/wallet/did", method="key", key_type="ed25519")["results"]
    return sorted(d["did"] for d in found)


def issuer_id_of(did_key):
    """Return the `did:tessera:` issuer id of an Ed25519 did:key (pure)."""
    return ISSUER_METHOD + did_key.removeprefix("did:key:")


def publishes_on_webvh(agent):
    """Tell whether the agent publishes AnonCreds objects on did:webvh (plugin loaded)."""
    try:
        loaded = agent.admin.get("/plugins").get("result") or []
    except AgentError as exc:
        if exc.status != 404:  # an admin API without the plugin list has no did:webvh either
            raise
        return False
    return WEBVH_PLUGIN in loaded


def known_issuer_id(issuer):
    """Return the issuer's id if it exists, else '' (reading creates nothing)."""
    if publishes_on_webvh(issuer):
        try:
            return issuer.admin.get("/tessera/webvh/did")["did"]
        except AgentError as exc:
            if exc.status != 404:
                raise
            return ""
    dids = key_dids(issuer)
    return issuer_id_of(dids[0]) if dids else ""


def schema_ids(issuer, issuer_did, schema):
    """Return the ids of `schema` (a `CredentialSchema`) the issuer has published."""
    return issuer.admin.get(
        "/anoncreds/schemas",
        schema_issuer_id=issuer_did,
        schema_name=schema.name,
        schema_version=schema.version,
    )["schema_ids"]


def cred_def(agent, cred_def_id):
    """Return a credential definition, resolved (and checked) by the agent's registry."""
    return agent.admin.get(f"/anoncreds/credential-definition/{quote_id(cred_def_id)}")


def cred_defs(issuer, issuer_did, schema_id):
    """Return [(cred def id, tag)] the issuer created for a schema."""
    ids = issuer.admin.get(
        "/anoncreds/credential-definitions", issuer_id=issuer_did, schema_id=schema_id
    )["credential_definition_ids"]
    return [(i, cred_def(issuer, i).get("credential_definition", {}).get("tag", "")) for i in ids]


def published(issuer, issuer_did, schema):
    """Return (schema id or '', [(cred def id, tag)]) of what is published for `schema`."""
    if not issuer_did:
        return "", []
    ids = schema_ids(issuer, issuer_did, schema)
    if not ids:
        return "", []
    return ids[0], cred_defs(issuer, issuer_did, ids[0])


def schema_of(agent, cred_def_id):
    """Return the schema name of a credential definition, resolved by the agent's registry."""
    schema_id = cred_def(agent, cred_def_id)["credential_definition"]["schemaId"]
    return agent.admin.get(f"/anoncreds/schema/{quote_id(schema_id)}")["schema"]["name"]


def has_tails_server(issuer):
    """Return True when the agent runs with a tails server (it can issue revocably)."""
    return bool(issuer.admin.status_config().get("tails_server_base_url"))
