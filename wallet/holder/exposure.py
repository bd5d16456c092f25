"""The person's exposure map from their history and receipts; the "firm was breached" action.

The arithmetic is pure (`wallet.exposure`); this module joins each answer in the
history with its consent receipt and erasure state, reads the values to show from the
person's own credentials (never stored again), and sends erasure requests through
the one erasure flow (`receipt_book.request_erasure`).
"""

import datetime
import logging
import re
from dataclasses import dataclass

from ..durable import CorruptFile
from ..errors import InputError, NotFound, WalletError
from ..exposure import breach, holdings
from ..flows import held as stored
from ..history.log import BREACH
from . import receipt_book

LOG = logging.getLogger(__name__)
_CRED_ID = re.compile(r"\(([^()]+)\)$")


def _proven_names(entry, receipt, schemas):
    """Return the attribute names an answer proved: from the receipt, else from its sentences."""
    if receipt is not None:
        return tuple(p["name"] for p in receipt.get("predicates") or ())
    labels = sorted(
        ((a.label.lower(), a.name) for s in schemas.values() for a in s.attributes),
        key=lambda pair: -len(pair[0]),
    )
    names = []
    for sentence in entry.predicates:
        text = sentence.lower()
        found = next((name for label, name in labels if label in text), "")
        names.append(found or sentence)
    return tuple(names)


def _credential_ids(entry):
    """Return the credential ids a history entry names ("National identity (<id>)")."""
    found = (_CRED_ID.search(text) for text in entry.credentials)
    return tuple(match.group(1) for match in found if match)


def _typed(entry):
    return tuple(n.strip() for text in entry.self_attested for n in text.split(",") if n.strip())


def disclosures(service, agent, schemas, now):
    """Return ([`holdings.Disclosure`] of every answer sent, a warning or "")."""
    warning = ""
    try:
        links = receipt_book.links(service.data_dir)
    except CorruptFile as exc:
        links, warning = {}, str(exc)
    rows = {row.receipt_id: row for row in receipt_book.held(agent, now)}
    found = []
    for entry in service.history.entries():
        if entry.action != "sent":
            continue
        row = rows.get(links.get(receipt_book.entry_key(entry), ""))
        receipt = row.receipt if row is not None else None
        found.append(
            holdings.Disclosure(
                entry.to,
                datetime.datetime.fromisoformat(entry.when),
                tuple(entry.revealed) + _typed(entry),
                _proven_names(entry, receipt, schemas) + tuple(entry.conditions),
                receipt,
                bool(row and row.countersigned),
                row.erasure if row is not None else None,
                _credential_ids(entry),
            )
        )
    return found, warning


def values(agent, found):
    """Return {(firm, name): value} shown from the person's own credentials (never stored)."""
    creds = {c["referent"]: c.get("attrs") or {} for c in stored.credentials(agent)}
    shown = {}
    for d in found:
        for name in d.revealed:
            shown.setdefault((d.firm, name), _value(name, creds, d.credentials))
    return shown


def _value(name, creds, used):
    """Return the value from a credential that answered, else any that holds `name`."""
    for cred_id in (*used, *creds):
        attrs = creds.get(cred_id) or {}
        if name in attrs:
            return str(attrs[name])
    return ""


@dataclass(frozen=True)
class ExposureMap:
    """Everything the exposure page and API show, computed once at `now`."""

    now: datetime.datetime
    disclosures: list
    firms: list
    attributes: list
    savings: object
    timeline: list
    warning: str = ""

    @property
    def retention_ended(self):
        """Return the answers whose retention passed with no erasure confirmed."""
        return [d for d in self.disclosures if d.retention_ended(self.now)]


def build(service, agent, schemas, now):
    """Return the person's `ExposureMap` at `now`."""
    found, warning = disclosures(service, agent, schemas, now)
    return ExposureMap(
        now,
        found,
        holdings.by_firm(found),
        holdings.by_attribute(found, schemas, now),
        holdings.savings(found),
        holdings.timeline(found, now),
        warning,
    )


def breach_plan(service, agent, schemas, firm, now, found=None):
    """Return the `BreachPlan` for `firm`, or NotFound when the person sent it nothing.

    `found` is the person's disclosures when already read.
    """
    if found is None:
        found, _ = disclosures(service, agent, schemas, now)
    plan = breach.plan(found, firm, now)
    if plan is None:
        raise NotFound(f"You never sent anything to '{firm}'; pick a firm from the exposure map.")
    return plan


def report_breach(service, schemas, firm, receipt_ids, now):
    """Ask other firms to erase what leaked, record the breach in history; return the outcome.

    `receipt_ids` must be among the plan's askable receipts (None: the ones it suggests).
    Returns (plan, {receipt id: "" when sent, else why not}).
    """
    agent = service.require()
    plan = breach_plan(service, agent, schemas, firm, now)
    chosen = plan.suggested if receipt_ids is None else tuple(dict.fromkeys(receipt_ids))
    unknown = sorted(set(chosen) - set(plan.askable))
    if unknown:
        raise InputError(
            "Erasure can only be asked of the firms listed for this breach; reload the page "
            f"and choose again (not listed: {', '.join(unknown)})."
        )
    outcome = {}
    for receipt_id in chosen:
        try:
            receipt_book.request_erasure(agent, service.data_dir, receipt_id, now)
            outcome[receipt_id] = ""
        except WalletError as exc:
            LOG.warning("Erasure request for %s after a breach failed: %s", receipt_id, exc)
            outcome[receipt_id] = str(exc)
    firms = [t.firm for t in plan.targets if any(outcome.get(r) == "" for r in t.receipt_ids)]
    service.history.append(
        BREACH,
        firm,
        request_name="Firm breached",
        revealed=list(plan.raw),
        reason=f"Erasure asked of: {', '.join(firms)}" if firms else "No erasure request sent",
        rule="person",
    )
    return plan, outcome


def erase(service, receipt_id, now, reason="retention-ended"):
    """Ask for erasure of one receipt (the map's one-click offer); return the body sent."""
    return receipt_book.request_erasure(
        service.require(), service.data_dir, receipt_id, now, reason
    )
