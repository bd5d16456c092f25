"""Revocation: issuer revokes and publishes, verifier asks for non-revocation, holder keeps watch.

Plain functions over `Agent`s, like the other flows. Time is passed in (`now`, seconds
since the epoch) wherever it matters. The holder keeps a small status cache file so
the wallet can show each credential as valid or revoked, and when that was checked,
without asking the agent on every page view.
"""

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from .. import durable
from ..errors import AgentError, InputError
from . import held, issue

LOG = logging.getLogger(__name__)
RECHECK = "the next status check writes a new one."
REGISTRY_TIMEOUT = 180.0
DEFAULT_MAX_AGE = 3600.0
STATUS_FILE = "revocation-status.json"
VERIFY_ERRORS = ("VALUE_ERROR", "VERIFY_ERROR")


def _q(value):
    return quote(value, safe="")


# Issuer


def create_revocable_cred_def(
    issuer, issuer_did, schema_id, tag="revocable", registry_size=None, timeout=REGISTRY_TIMEOUT
):
    """Create (or reuse) a revocable credential definition and wait until it can issue."""
    cred_def_id = issue.create_cred_def(
        issuer,
        issuer_did,
        schema_id,
        tag=tag,
        revocation=True,
        registry_size=registry_size,
        timeout=timeout,
    )
    wait_active_registry(issuer, cred_def_id, timeout=timeout)
    return cred_def_id


def active_registry(issuer, cred_def_id):
    """Return the issuer's active revocation registry record, or None while there is none."""
    try:
        answer = issuer.admin.get(f"/anoncreds/revocation/active-registry/{_q(cred_def_id)}")
    except AgentError as exc:
        if exc.status == 404:
            return None
        raise
    return answer.get("result")


def wait_active_registry(issuer, cred_def_id, timeout=REGISTRY_TIMEOUT):
    """Wait until the credential definition has a finished active registry; return it."""
    return issuer.wait(
        lambda: active_registry(issuer, cred_def_id),
        lambda rec: bool(rec) and rec.get("state") == "finished",
        what=f"the revocation registry of {cred_def_id} to be ready",
        topics=("revocation_registry", "anoncreds_revocation_registry"),
        timeout=timeout,
    )


def issued_record(issuer, cred_ex_id):
    """Return the issuer's revocation record (rev_reg_id, cred_rev_id, state) of an issuance."""
    answer = issuer.admin.get("/anoncreds/revocation/credential-record", cred_ex_id=cred_ex_id)
    return answer["result"]


def revoke(issuer, cred_ex_id, comment=None, publish=True, notify_connection=None):
    """Revoke the credential issued in exchange `cred_ex_id`; publish now unless told not to.

    `comment` is the reason, kept by the issuer and sent to the holder when
    `notify_connection` (the issuer's connection id to the holder) is given.
    """
    body = {"cred_ex_id": cred_ex_id, "publish": bool(publish)}
    if comment:
        body["comment"] = comment
    if notify_connection:
        body.update(notify=True, connection_id=notify_connection, notify_version="v1_0")
    issuer.admin.post("/anoncreds/revocation/revoke", body)
    return issued_record(issuer, cred_ex_id)


def issued_states(issuer, rev_reg_ids):
    """Return {cred_ex_id: "issued" | "revoked"} for the credentials of these registries."""
    states = {}
    for rev_reg_id in sorted(set(filter(None, rev_reg_ids))):
        try:
            found = issuer.admin.get(
                f"/anoncreds/revocation/registry/{_q(rev_reg_id)}/issued/details"
            )
        except AgentError as exc:
            if exc.status == 404:
                continue
            raise
        for record in found if isinstance(found, list) else []:
            if record.get("cred_ex_id"):
                states[record["cred_ex_id"]] = record.get("state", "")
    return states


def publish_pending(issuer):
    """Publish every pending revocation at once; return {rev reg id: [cred rev ids]}."""
    return issuer.admin.post("/anoncreds/revocation/publish-revocations", {}).get("rrid2crid", {})


def revoke_many(issuer, cred_ex_ids, comment=None):
    """Revoke several credentials and publish them together, once per registry."""
    for cred_ex_id in cred_ex_ids:
        revoke(issuer, cred_ex_id, comment=comment, publish=False)
    return publish_pending(issuer)


# Verifier


def non_revoked(proof_request, now, since=None):
    """Return a copy of `proof_request` asking for non-revocation from `since` (or now) to now."""
    when = int(now)
    request = dict(proof_request)
    request["non_revoked"] = {"from": int(since) if since is not None else when, "to": when}
    return request


def verdict(record):
    """Return (revoked, reason) for a verifier's finished exchange record (pure).

    ACA-Py gives no message of its own for a revoked credential: `verified` is
    "false" and `verified_msgs` holds at most informational codes. A proof that
    fails although the presentation carries non-revocation proofs (identifiers with
    a revocation registry and timestamp) and no verification error is reported as
    revoked; a failure with errors is reported with those errors.
    """
    if record.get("verified") != "false":
        return False, ""
    msgs = [str(m) for m in record.get("verified_msgs") or []]
    errors = [m for m in msgs if m.split("::", 1)[0] in VERIFY_ERRORS]
    pres = ((record.get("by_format") or {}).get("pres") or {}).get("anoncreds") or {}
    ids = pres.get("identifiers") or []
    stamped = [i for i in ids if i.get("rev_reg_id") and i.get("timestamp")]
    if errors:
        return False, "The proof did not verify: " + "; ".join(errors)
    if stamped:
        registries = ", ".join(sorted({i["rev_reg_id"] for i in stamped}))
        return True, (
            "revoked: a credential in this proof has been revoked by its issuer "
            f"(revocation registry {registries}); ask the person for a current credential"
        )
    return False, "The proof did not verify (no revocation check was involved)."


# Holder


def check_times(proof_request, now):
    """Return the times at which a request checks revocation: each `to`, else now (pure)."""
    items = [
        *proof_request.get("requested_attributes", {}).values(),
        *proof_request.get("requested_predicates", {}).values(),
    ]
    intervals = [proof_request.get("non_revoked")] + [i.get("non_revoked") for i in items]
    times = {int(i.get("to", now)) for i in intervals if i}
    return frozenset(times or {int(now)})


@dataclass(frozen=True)
class CredentialStatus:
    """One credential's revocation status as last checked."""

    cred_id: str
    revocable: bool
    revoked: bool
    checked_at: int | None

    @property
    def label(self):
        """Return "revoked", "valid" or "valid (cannot be revoked)"."""
        if self.revoked:
            return "revoked"
        return "valid" if self.revocable else "valid (cannot be revoked)"


class StatusCache:
    """The holder's status cache: a small JSON file under the holder's data directory."""

    def __init__(self, path):
        """Use the file at `path` (created on first save)."""
        self.path = Path(path)

    @classmethod
    def for_settings(cls, settings):
        """Return the cache of the holder of `settings`."""
        return cls(settings.role_dir("holder") / STATUS_FILE)

    def load(self):
        """Return {cred_id: CredentialStatus}; an unreadable file counts as empty.

        It is a cache (the next check fills it again): a corrupt file is set aside
        and logged, not raised.
        """
        try:
            doc = durable.read_json(self.path, missing={"statuses": {}}, advice=RECHECK)
        except durable.CorruptFile as exc:
            LOG.warning("%s", exc)
            return {}
        return _statuses(doc)

    def save(self, statuses):
        """Write {cred_id: CredentialStatus} atomically and durably."""
        durable.write_json(self.path, _document(statuses), indent=1)

    def update(self, change):
        """Write `change(stored statuses)` under the file's lock; return what was written.

        Two checks at once (the timer and the person's button) both keep what they
        learned. A corrupt cache is set aside (and logged) and counts as empty.
        """

        def changed(doc):
            return _document(change(_statuses(doc)))

        try:
            doc = durable.update_json(
                self.path, changed, missing={"statuses": {}}, advice=RECHECK, indent=1
            )
        except durable.CorruptFile as exc:
            LOG.warning("%s", exc)
            doc = durable.update_json(
                self.path, changed, missing={"statuses": {}}, advice=RECHECK, indent=1
            )
        return _statuses(doc)


def _document(statuses):
    return {"statuses": {k: asdict(v) for k, v in sorted(statuses.items())}}


def _statuses(doc):
    """Return {cred_id: CredentialStatus} of a cache document; an unreadable one is empty."""
    try:
        return {k: CredentialStatus(**v) for k, v in doc["statuses"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def is_revoked(holder, cred_id, at=None):
    """Ask the holder's agent whether a credential is revoked (as of `at`, else latest)."""
    params = {"to": int(at)} if at is not None else {}
    return bool(holder.admin.get(f"/credential/revoked/{_q(cred_id)}", **params).get("revoked"))


def _held(holder):
    return {c["referent"]: c for c in held.credentials(holder)}


def statuses(holder, cache, held=None):
    """Return every held credential's status from the cache (unchecked: checked_at None).

    `held`, objects with `cred_id` and `rev_reg_id` the caller already listed, saves
    asking the agent for every credential again.
    """
    known = cache.load()
    pairs = (
        [(c.cred_id, c.rev_reg_id) for c in held]
        if held is not None
        else [(cred_id, cred.get("rev_reg_id")) for cred_id, cred in _held(holder).items()]
    )
    return {
        cred_id: known.get(cred_id) or CredentialStatus(cred_id, bool(rev_reg_id), False, None)
        for cred_id, rev_reg_id in pairs
    }


def refresh(holder, cache, now, cred_ids=None):
    """Check revocable credentials now; save and return (statuses, newly revoked ids).

    `cred_ids` limits the check; the newly revoked are those the person has not yet
    been told about: revoked now, not revoked (or unknown) in the cache before.
    """
    current = statuses(holder, cache)
    if cred_ids is not None:
        unknown = set(cred_ids) - set(current)
        if unknown:
            raise InputError(f"The wallet holds no credential {', '.join(sorted(unknown))}.")
    checked = {
        cred_id: CredentialStatus(cred_id, True, is_revoked(holder, cred_id, at=now), int(now))
        for cred_id, status in current.items()
        if status.revocable and (cred_ids is None or cred_id in cred_ids)
    }
    newly = []

    def merge(stored):
        # Under the cache's lock: another check may have saved since `current` was read.
        newly.clear()
        merged = {**current, **stored}
        for cred_id, status in checked.items():
            old = stored.get(cred_id)
            if status.revoked and not (old and old.revoked):
                newly.append(cred_id)
            if old is None or (old.checked_at or 0) <= status.checked_at:
                merged[cred_id] = status
        return merged

    saved = cache.update(merge)
    return {cred_id: saved[cred_id] for cred_id in current}, newly


def refresh_due(holder, cache, now, max_age=DEFAULT_MAX_AGE):
    """Re-check credentials whose status is older than `max_age` s; for the app's timer."""
    stale = [
        s.cred_id
        for s in statuses(holder, cache).values()
        if s.revocable and (s.checked_at is None or now - s.checked_at >= max_age)
    ]
    if not stale:
        return statuses(holder, cache), []
    return refresh(holder, cache, now, stale)
