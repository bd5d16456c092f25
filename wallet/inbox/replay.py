"""Undo what a replayed issue-credential message does to the holder: a second stored copy.

ACA-Py 1.7 (`issue_credential/v2_0/manager.py`, `receive_credential`) looks the exchange
up by connection and thread and never checks its state, so a replayed `issue-credential`
message moves a `done` exchange back to `credential-received`; with auto-store on, the
credential is stored again under a new id, the exchange's detail record is repointed at
the new copy, and a second ack goes to the issuer. The first copy is left orphaned.

A copy is a duplicate when it is identical (cred def, revocation registry and index,
every raw value) to the credential of an issue thread whose exchange record points at
another copy, and there are more identical copies than threads that issued them. The
holder keeps exchange records (`preserve-exchange-records`), so every copy the person
asked for is referenced by its thread; the orphans are the replays. The referenced copy
is kept, so the exchange record and the credential stay consistent.
"""

import collections
import logging

from ..agent.handle import Agent
from ..flows import held, issue

LOG = logging.getLogger("tessera.inbox")


def _stored_key(cred):
    attrs = tuple(sorted((cred.get("attrs") or {}).items()))
    return (cred["cred_def_id"], cred.get("rev_reg_id"), cred.get("cred_rev_id"), attrs)


def _issued_key(record):
    issued = record.by_format.get("cred_issue") or {}
    cred = issued.get("anoncreds") or issued.get("indy")
    if not cred:
        return None
    r_cred = (cred.get("signature") or {}).get("r_credential")
    values = tuple(sorted((k, v["raw"]) for k, v in (cred.get("values") or {}).items()))
    cred_rev_id = str(r_cred["i"]) if r_cred else None
    return (cred["cred_def_id"], cred.get("rev_reg_id"), cred_rev_id, values)


def find_duplicates(holder: Agent):
    """Return ids of stored credentials that are replayed copies (see module docstring)."""
    creds = held.credentials(holder)
    referenced = set()
    threads = collections.Counter()
    for record in issue.records(holder, role="holder"):
        stored = record.cred_id_stored
        key = _issued_key(record)
        if stored and key is not None:
            referenced.add(stored)
            threads[key] += 1
    copies = collections.defaultdict(list)
    for cred in creds:
        copies[_stored_key(cred)].append(cred["referent"])
    duplicates = []
    for key, ids in copies.items():
        extra = len(ids) - threads.get(key, 0)
        if threads.get(key) and extra > 0:
            duplicates += [cid for cid in sorted(ids) if cid not in referenced][:extra]
    return duplicates


def remove_duplicates(holder: Agent):
    """Delete replayed credential copies from the holder's wallet; return their ids."""
    removed = find_duplicates(holder)
    for cred_id in removed:
        held.delete(holder, cred_id)
        LOG.warning("holder: removed credential %s, a copy stored by a replayed message", cred_id)
    return removed
