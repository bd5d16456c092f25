"""Which credential definitions a verifier accepts: those of the issuers it trusts.

ACA-Py lists only the credential definitions an agent created itself, and the
`issuer_did` restriction only works with legacy Indy ids, so restrictions name
credential definition ids. They come from configuration (`TRUSTED_CRED_DEFS`) or are
discovered for the `TRUSTED_ISSUERS` (a did:webvh issuer's published index, read and
checked by the verifier's agent; a did:tessera issuer's objects in a registry directory),
and every one is resolved through the verifier's own agent (which checks its
signature) to learn its schema.
"""

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import AgentError, ConfigError
from ..flows.anoncreds import schema_of
from ..registry.ids import CRED_DEF, ISSUER_ID_PATTERN

log = logging.getLogger(__name__)
WEBVH_ISSUER = re.compile(r"^did:webvh:[^/?#]+$")


@dataclass(frozen=True)
class Trust:
    """What a verifier trusts: issuer ids, extra cred def ids, and where the registry is."""

    issuers: tuple = ()
    cred_def_ids: tuple = ()
    registry_dir: Path | None = None

    @classmethod
    def from_config(cls, config):
        """Build from the app config keys TRUSTED_ISSUERS, TRUSTED_CRED_DEFS, REGISTRY_DIR."""
        issuers = tuple(config.get("TRUSTED_ISSUERS") or ())
        for issuer in issuers:
            if not (ISSUER_ID_PATTERN.match(issuer) or WEBVH_ISSUER.match(issuer)):
                raise ConfigError(
                    f"TRUSTED_ISSUERS holds '{issuer}', which is not an issuer id (did:webvh "
                    "or did:tessera); copy the id shown on the issuer console."
                )
        registry = config.get("REGISTRY_DIR")
        return cls(
            issuers,
            tuple(config.get("TRUSTED_CRED_DEFS") or ()),
            Path(registry) if registry else None,
        )


def listed_cred_defs(registry_dir, issuer_id):
    """Return the cred def ids the shared registry directory holds for `issuer_id`."""
    mb = issuer_id.removeprefix("did:tessera:")
    folder = Path(registry_dir) / "objects" / mb / CRED_DEF
    return sorted(f"{issuer_id}/{CRED_DEF}/{p.stem}" for p in folder.glob("*.json"))


def published_cred_defs(verifier, issuer_id):
    """Return the cred def ids a did:webvh issuer publishes, checked by the verifier's agent."""
    try:
        answer = verifier.admin.get("/tessera/webvh/cred-defs", issuer=issuer_id)
    except AgentError as exc:
        if exc.status is None:
            raise
        log.warning("Cannot list the credential definitions of %s: %s", issuer_id, exc)
        return []
    for refused, reason in (answer.get("refused") or {}).items():
        log.warning("Not trusting %s: %s", refused, reason)
    return answer.get("credential_definition_ids") or []


def trusted_cred_defs(verifier, trust):
    """Return {schema name: [cred def ids]} the verifier accepts."""
    ids = list(trust.cred_def_ids)
    for issuer in trust.issuers:
        if WEBVH_ISSUER.match(issuer):
            ids += published_cred_defs(verifier, issuer)
        elif trust.registry_dir is not None:
            ids += listed_cred_defs(trust.registry_dir, issuer)
    found = {}
    for cred_def_id in dict.fromkeys(ids):
        try:
            name = schema_of(verifier, cred_def_id)
        except AgentError as exc:
            if exc.status is None:
                raise
            log.warning("Not trusting %s: the registry refused it (%s)", cred_def_id, exc)
            continue
        found.setdefault(name, []).append(cred_def_id)
    return found


def restrictions_for(found, issuers=()):
    """Return `restrictions(schema)` over `trusted_cred_defs` output, refusing untrusted schemas.

    With `issuers`, only those issuers' credential definitions are accepted.
    """

    def restrictions(schema):
        ids = [i for i in found.get(schema) or () if not issuers or i.split("/", 1)[0] in issuers]
        if not ids:
            named = " among the issuers this request names" if issuers else ""
            raise ConfigError(
                f"This verifier trusts no issuer of '{schema}' credentials{named}: the issuer "
                "must publish one, or add its id to TRUSTED_ISSUERS (or TRUSTED_CRED_DEFS)."
            )
        return [{"cred_def_id": i} for i in ids]

    return restrictions
