"""One issuance, one credential: storing an exchange's credential again stores nothing.

ACA-Py stores an issued credential under a fresh random id, then saves the exchange's
AnonCreds detail record (`cred_id_stored`), then moves the exchange to `done`. A
`kill -9` between the first step and the last leaves the exchange unfinished while
the credential is already in the wallet; when the issue message is processed again
(the inbox keeps it until the agent has processed it), ACA-Py stores a second copy
under another random id, and the person holds two credentials for one issuance
(issue 15's crash suite saw it).

Here an auto-stored credential's id is derived from its exchange (`stored_id`), so a
second store finds the first: the credential is not stored again, and the detail
record is completed as ACA-Py would have completed it. A credential id the
controller chose (`POST .../store` with `credential_id`) is used as given, with the
same check.

Unnecessary once ACA-Py stores a credential idempotently per exchange (upstream
`protocols/issue_credential/v2_0/formats/anoncreds/handler.py`, `store_credential`).
"""

import functools
import logging
import uuid

from acapy_agent.anoncreds.holder import AnonCredsHolder, AnonCredsHolderError
from acapy_agent.protocols.issue_credential.v2_0.formats.anoncreds.handler import (
    AnonCredsCredFormatHandler,
)
from acapy_agent.protocols.issue_credential.v2_0.formats.indy.handler import (
    IndyCredFormatHandler,
)
from acapy_agent.wallet.error import WalletNotFoundError

LOG = logging.getLogger("tessera.inbound")
NAMESPACE = uuid.UUID("5b0c3f62-5f8e-4a43-9d1e-7e0c1c4f2a91")  # Tessera's stored credential ids


def stored_id(cred_ex_id):
    """Return the id an exchange's credential is stored under: the same for every try."""
    return str(uuid.uuid5(NAMESPACE, cred_ex_id))


async def _held(profile, cred_id):
    try:
        await AnonCredsHolder(profile).get_credential(cred_id)
    except WalletNotFoundError:
        return False
    except AnonCredsHolderError:
        return False  # unreadable: let ACA-Py store and report as it would
    return True


def _stored_once(store):
    @functools.wraps(store)
    async def store_credential(self, cred_ex_record, cred_id=None):
        cred_id = cred_id or stored_id(cred_ex_record.cred_ex_id)
        if not await _held(self.profile, cred_id):
            return await store(self, cred_ex_record, cred_id)
        LOG.warning(
            "inbound: credential of exchange %s was already stored as %s; not stored again",
            cred_ex_record.cred_ex_id,
            cred_id,
        )
        cred = cred_ex_record.cred_issue.attachment(
            AnonCredsCredFormatHandler.format
        ) or cred_ex_record.cred_issue.attachment(IndyCredFormatHandler.format)
        detail = await self.get_detail_record(cred_ex_record.cred_ex_id)
        if detail is None:
            return await store(self, cred_ex_record, cred_id)  # ACA-Py reports what is missing
        detail.cred_id_stored = cred_id
        detail.rev_reg_id = cred.get("rev_reg_id", None)
        detail.cred_rev_id = cred.get("cred_rev_id", None)
        async with self.profile.session() as session:
            await detail.save(session, reason="store credential v2.0", event=True)
        return None

    store_credential.tessera_stored_once = True
    return store_credential


def install():
    """Wrap ACA-Py's AnonCreds credential store (idempotent)."""
    current = AnonCredsCredFormatHandler.__dict__["store_credential"]
    if getattr(current, "tessera_stored_once", False):
        return
    AnonCredsCredFormatHandler.store_credential = _stored_once(current)
