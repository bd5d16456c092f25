"""Ask for a proof, see what can answer it, present, and read the verifier's result."""

import time
from dataclasses import dataclass, field, replace

from ..agent.webhooks import PayloadIs
from ..errors import AgentError, FlowError, UntrustedRegistryObject
from . import formats, held
from .matching import Candidate, choose, revoked_only, unanswerable, usable
from .records import PresExchange
from .registry_check import untrusted
from .revocation import check_times, is_revoked, verdict

TOPICS = ("present_proof_v2_0",)


def request_body(proof_request, comment=None, **fields):
    """Return the admin body asking for an AnonCreds proof (verified by the agent, kept)."""
    body = {
        **fields,
        "presentation_request": {"anoncreds": proof_request},
        "auto_verify": True,
        "auto_remove": False,
    }
    if comment:
        body["comment"] = comment
    return body


def request_proof(verifier, connection_id, proof_request, comment=None):
    """Send an AnonCreds proof request over a connection; return (pres_ex_id, thread_id)."""
    body = request_body(proof_request, comment, connection_id=connection_id)
    sent = verifier.admin.post("/present-proof-2.0/send-request", body)
    return sent["pres_ex_id"], sent["thread_id"]


def ask_again(verifier, record, reason):
    """Firm: send a request never answered again, then abandon the first one.

    The same AnonCreds request goes on the same connection with a fresh nonce (ACA-Py
    makes one), and the first exchange ends with a problem report stating `reason`, so
    a wallet that did receive it sees it withdrawn. Returns (pres_ex_id, thread_id).
    """
    record = PresExchange.from_agent(record)
    if record.state != "request-sent" or not record.connection_id:
        raise FlowError(
            f"Exchange {record.pres_ex_id} is {record.state}, not a request sent over a "
            "connection: there is nothing to ask again."
        )
    proof_request = {k: v for k, v in anoncreds_request(record).items() if k != "nonce"}
    sent = request_proof(verifier, record.connection_id, proof_request)
    decline(verifier, record.pres_ex_id, reason)
    return sent


BOUND_NAME = "proof-request"  # ACA-Py's name for every request bound to a proposal
OWN_REPORT = "created problem report:"  # how ACA-Py keeps a problem report the agent sent


def request_name(record, default=""):
    """Return the name a request is shown by.

    ACA-Py's bound-request route takes no name, so a request a firm sends by accepting
    a person's proposal is always called "proof-request": such a request is shown by
    the proposal's name ("Loan sign-up (smaller answer)").
    """
    if isinstance(record, dict):
        record = PresExchange.from_agent(record)
    name = (getattr(record, "request", None) or {}).get("name") or ""
    proposal = getattr(record, "proposal", None) or {}
    if proposal.get("name") and name in ("", BOUND_NAME):
        return proposal["name"]
    return name or default


def smaller_answer_reason(proposal_thread_id, words):
    """Return the reason a person declines a request they answer with a smaller proposal.

    It names the proposal's thread, so that either side finds the request a proposal
    replaces (`replaced_request`) and carries its terms over.
    """
    return f"The person proposes a smaller answer (thread {proposal_thread_id}): {words}"


def replaced_request(agent, proposal, reported_by=""):
    """Return the request the exchange `proposal` (a person's smaller answer) replaced, or None.

    That request was declined with `smaller_answer_reason` naming the proposal's thread;
    only an exchange on the proposal's own connection counts, and only one whose
    problem report starts with `reported_by` (the person's wallet: its own reports).
    """
    proposal = PresExchange.from_agent(proposal)
    if not proposal.connection_id or not proposal.thread_id:
        return None
    marker = f"(thread {proposal.thread_id})"
    found = [
        r
        for r in records(agent, connection_id=proposal.connection_id, state="abandoned")
        if r.pres_ex_id != proposal.pres_ex_id
        and marker in (r.error_msg or "")
        and (r.error_msg or "").startswith(reported_by)
    ]
    return max(found, key=lambda r: r.updated_at or "", default=None)


def check_again(verifier, pres_ex_id):
    """Firm: verify a presentation received but never checked; return the record."""
    answer = verifier.admin.post(f"/present-proof-2.0/records/{pres_ex_id}/verify-presentation")
    return PresExchange.from_agent(answer)


def record(agent, pres_ex_id):
    """Return one exchange record (`PresExchange`) by id."""
    return PresExchange.from_agent(agent.admin.get(f"/present-proof-2.0/records/{pres_ex_id}"))


def whole_record(payload):
    """Return a webhook's record (`PresExchange`) when it is whole (--debug-webhooks).

    Without that flag ACA-Py's webhooks carry the state only, not `by_format`; then
    this returns None and the waiter fetches the record. Reading the verifier's
    verified record back costs the verifier ~80 ms of CPU (it revalidates the whole
    presentation), so this is what lets throughput grow.
    """
    return PresExchange.from_agent(payload) if "by_format" in payload else None


def records(agent, **filters):
    """Return the exchange records (`PresExchange`s) matching `filters` (role, state, thread)."""
    found = agent.admin.get("/present-proof-2.0/records", **filters)["results"]
    return [PresExchange.from_agent(r) for r in found]


def wait_request(holder, thread_id, timeout=30.0):
    """Wait until the holder has received the request of `thread_id`; return its record."""
    found = holder.wait(
        lambda: records(holder, thread_id=thread_id),
        lambda rs: any(r.state == "request-received" for r in rs),
        what=f"proof request {thread_id}",
        topics=TOPICS,
        match=PayloadIs("thread_id", thread_id),
        from_event=lambda payload: [whole] if (whole := whole_record(payload)) else None,
        timeout=timeout,
    )
    return next(r for r in found if r.state == "request-received")


def requests(holder):
    """Return the proof requests (`PresExchange`s) waiting for the person's answer."""
    return records(holder, role="prover", state="request-received")


def anoncreds_request(record):
    """Return the AnonCreds proof request of a record (`anoncreds` or `indy` format)."""
    return formats.proof_request(PresExchange.from_agent(record))


def candidates(holder, pres_ex_id, request=None, referents=None):
    """Return every credential that may answer the request, as `Candidate`s.

    ACA-Py 1.7 joins a referent's restrictions with AND where AnonCreds means OR (any
    one of them will do), so a referent with several restrictions (a verifier trusting
    two credential definitions, say) gets no candidates from it at all. For those
    referents of `request` Tessera searches the wallet itself, with the OR meant.
    `referents` limits the lookup to those referents (None: all).
    """
    items = held.candidates(holder, pres_ex_id, referents=referents)
    found = {c.cred_id: c for c in map(Candidate.from_agent, items)}
    for referent, query in either_or_queries(request or {}).items():
        if referents is not None and referent not in referents:
            continue
        for info in held.credentials(holder, wql=query):
            known = found.get(info["referent"])
            if known is None:
                item = {"cred_info": info, "presentation_referents": [referent]}
                found[info["referent"]] = Candidate.from_agent(item)
            else:
                found[known.cred_id] = replace(known, referents=known.referents | {referent})
    return list(found.values())


def either_or_queries(request):
    """Return {referent: wallet query} for the items whose restrictions ACA-Py mis-joins."""
    queries = {}
    for part in ("requested_attributes", "requested_predicates"):
        for referent, item in (request.get(part) or {}).items():
            restrictions = item.get("restrictions") or []
            if len(restrictions) < 2:
                continue
            names = item["names"] if "names" in item else [item["name"]]
            has_all = {"$exist": [f"attr::{name.replace(' ', '')}::value" for name in names]}
            queries[referent] = {"$and": [has_all, {"$or": list(restrictions)}]}
    return queries


def revoked_ids(holder, found, times=(None,)):
    """Return the ids of revocable candidates revoked at any of `times` (None: latest).

    When the agent cannot learn a status (its registry refused the status list, or the
    issuer does not answer), UntrustedRegistryObject says so; nothing is sent.
    """
    ids = {c.cred_id for c in found if c.rev_reg_id}
    try:
        return frozenset(i for i in ids if any(is_revoked(holder, i, at) for at in times))
    except AgentError as exc:
        if exc.status is None or exc.status < 500:
            raise
        _refuse_untrusted(holder, {c.rev_reg_id for c in found if c.rev_reg_id}, exc)


@dataclass(frozen=True)
class Assessment:
    """What can answer a request: usable candidates, and items only revoked ones could.

    `cut` maps a referent whose candidates were bounded to (how many of the newest were
    looked at, how many could answer it in all).
    """

    usable: dict
    revoked_only: dict
    cut: dict = field(default_factory=dict)


def assess(holder, record, now=None, lookup=None):
    """Return the `Assessment` of a request: {referent: usable}, {referent: revoked only}.

    Revocation is checked at the times the request asks about (its non-revocation
    intervals' `to`), else now, so a revoked credential is never offered.

    `lookup(holder, pres_ex_id, request)` returns (candidates, cut), a bounded lookup
    (the wallet's credential index: the newest of each item's credentials only); by
    default ACA-Py lists every candidate. An item a bounded lookup cut that is left
    with no usable candidate (every one looked at fails its predicate, lacks an
    attribute or is revoked) is looked up again whole through ACA-Py, so "nothing
    answers" is never said of credentials that were not looked at.
    """
    record = PresExchange.from_agent(record)
    request = anoncreds_request(record)
    if lookup is None:
        found, cut = candidates(holder, record.pres_ex_id, request), {}
    else:
        found, cut = lookup(holder, record.pres_ex_id, request)
    times = check_times(request, time.time() if now is None else now)
    revoked = revoked_ids(holder, found, times)
    usable_now = usable(request, found, revoked)
    short = {referent for referent in cut if not usable_now.get(referent)}
    if short:
        whole = candidates(holder, record.pres_ex_id, request, referents=short)
        found = merge_candidates(found, whole)
        cut = {referent: n for referent, n in cut.items() if referent not in short}
        revoked = revoked_ids(holder, found, times)
        usable_now = usable(request, found, revoked)
    return Assessment(usable_now, revoked_only(request, found, revoked), cut)


def merge_candidates(found, more):
    """Return `found` with `more` folded in (a credential in both answers both's referents)."""
    merged = {c.cred_id: c for c in found}
    for c in more:
        known = merged.get(c.cred_id)
        merged[c.cred_id] = (
            c if known is None else replace(known, referents=known.referents | c.referents)
        )
    return list(merged.values())


def options(holder, record, now=None, lookup=None):
    """Return {referent: usable candidates} for a received request record."""
    return assess(holder, record, now, lookup).usable


def why_unanswerable(holder, record, now=None, lookup=None):
    """Return {referent: reason} for items nothing usable answers (e.g. only a revoked one)."""
    found = assess(holder, record, now, lookup)
    return unanswerable(anoncreds_request(record), found.usable, found.revoked_only)


@dataclass(frozen=True)
class Presented:
    """A presentation sent: the choices made (`body`) and the record the agent answered with."""

    body: dict
    record: PresExchange


def answer(holder, record, chosen=None, self_attested=None, assessed=None):
    """Return (`Assessment`, body): what `present` would send, without sending it."""
    record = PresExchange.from_agent(record)
    found = assessed or assess(holder, record)
    request = anoncreds_request(record)
    return found, choose(request, found.usable, chosen, self_attested, found.revoked_only)


def picks(body):
    """Return {referent: credential id} of an answer's body."""
    return {
        ref: choice["cred_id"]
        for part in ("requested_attributes", "requested_predicates")
        for ref, choice in body[part].items()
    }


def present(holder, record, chosen=None, self_attested=None, assessed=None, timeout=30.0):
    """Answer a request with the person's choices (or the first usable credentials).

    `assessed`, the `Assessment` the caller already made (the consent screen's), saves
    looking up and checking the candidates again. Returns what was `Presented`.
    """
    record = PresExchange.from_agent(record)
    found, body = answer(holder, record, chosen, self_attested, assessed)
    try:
        answered = holder.admin.post(
            f"/present-proof-2.0/records/{record.pres_ex_id}/send-presentation",
            formats.answer(record, body),
        )
    except AgentError as exc:
        if exc.status is None or exc.status < 500:
            raise
        _explain_failure(holder, found.usable, body, exc)
    sent = PresExchange.from_agent(answered) if answered.get("pres_ex_id") else record
    return Presented(body, sent)


def _explain_failure(holder, usable_now, body, exc):
    """Turn ACA-Py's bare 500 into the reason, when it is an untrusted registry object."""
    used = set(picks(body).values())
    ids = {
        object_id
        for candidates in usable_now.values()
        for c in candidates
        if c.cred_id in used
        for object_id in (c.schema_id, c.cred_def_id, c.rev_reg_id)
        if object_id
    }
    _refuse_untrusted(holder, ids, exc)


def _refuse_untrusted(holder, ids, exc):
    """Raise UntrustedRegistryObject if the holder's registry refuses any of `ids`, else `exc`."""
    refused = untrusted(holder, ids)
    if refused:
        raise UntrustedRegistryObject(refused, refused.unreachable) from exc
    raise exc


def propose(holder, connection_id, proposal, comment):
    """Person: propose an AnonCreds request (a smaller answer) to a firm; return its record.

    ACA-Py makes a received proposal a new exchange on its own thread; nothing is
    presented until the firm sends the request proposed and the person answers it.
    """
    body = {
        "connection_id": connection_id,
        "presentation_proposal": {"anoncreds": proposal},
        "comment": comment,
        "auto_present": False,
        "auto_remove": False,
    }
    return PresExchange.from_agent(holder.admin.post("/present-proof-2.0/send-proposal", body))


def accept_proposal(verifier, pres_ex_id):
    """Firm: answer a person's proposal by sending exactly the request it proposed."""
    answer = verifier.admin.post(
        f"/present-proof-2.0/records/{pres_ex_id}/send-request",
        {"auto_verify": True, "auto_remove": False},
    )
    return PresExchange.from_agent(answer)


def decline(holder, pres_ex_id, reason):
    """Decline a request with a problem report stating `reason`."""
    holder.admin.post(
        f"/present-proof-2.0/records/{pres_ex_id}/problem-report", {"description": reason}
    )


@dataclass(frozen=True)
class Verification:
    """What the verifier's record says: verified, revealed values, predicates proven.

    `revoked` is True when the proof failed because a credential was revoked;
    `reason` then says so in words ("revoked: ..."), or why else it failed.
    """

    verified: bool
    revealed: dict
    predicates: list
    record: dict = field(repr=False)
    revoked: bool = False
    reason: str = ""

    @classmethod
    def from_record(cls, record):
        """Read a verifier-side presentation exchange record in state done."""
        record = PresExchange.from_agent(record)
        pres = record.presentation or {}
        request = anoncreds_request(record)
        proof = pres.get("requested_proof") or {}
        revealed = {}
        for referent, value in (proof.get("revealed_attrs") or {}).items():
            name = request["requested_attributes"][referent]["name"]
            revealed[name] = value["raw"]
        for referent, group in (proof.get("revealed_attr_groups") or {}).items():
            names = request["requested_attributes"][referent]["names"]
            revealed.update({n: group["values"][n]["raw"] for n in names})
        proven = [
            request["requested_predicates"][referent]
            for referent in (proof.get("predicates") or {})
        ]
        revoked, reason = verdict(record)
        verified = record.verified == "true"
        return cls(verified, revealed, proven, record.to_agent(), revoked, reason)


def _finished(record):
    if record.state == "abandoned":
        raise FlowError(
            f"Proof exchange {record.pres_ex_id} was abandoned: "
            f"{record.error_msg or 'no reason given'}"
        )
    return record.state == "done" and record.verified is not None


def wait_verified(verifier, pres_ex_id, timeout=30.0):
    """Wait for the verifier to finish verifying; return its `Verification`."""
    found = verifier.wait(
        lambda: record(verifier, pres_ex_id),
        _finished,
        what=f"verification of {pres_ex_id}",
        topics=TOPICS,
        match=PayloadIs("pres_ex_id", pres_ex_id),
        from_event=whole_record,
        timeout=timeout,
    )
    return Verification.from_record(found)


def wait_abandoned(agent, pres_ex_id, timeout=30.0):
    """Wait until an exchange is abandoned (declined); return its record."""
    return agent.wait(
        lambda: record(agent, pres_ex_id),
        lambda r: r.state == "abandoned",
        what=f"exchange {pres_ex_id} to be declined",
        topics=TOPICS,
        match=PayloadIs("pres_ex_id", pres_ex_id),
        from_event=whole_record,
        timeout=timeout,
    )
