"""Proof requests in the `indy` format are answered on AnonCreds wallets without a ledger.

ACA-Py 1.7.0 answers a present-proof 2.0 request in the `indy` format with its Indy
handler, which reads schemas and credential definitions from an Indy ledger. On an
`askar-anoncreds` wallet whose objects live in another AnonCreds registry (Tessera's
`did:tessera`, later `did:webvh`) `send-presentation` then fails with HTTP 500.
ACA-Py's AnonCreds handler already builds the proof for such a request (it reads the
`indy` attachment when there is no `anoncreds` one), but the manager hands `indy`
requests only to the Indy handler since ACA-Py removed the shim that redirected them on
AnonCreds wallets (openwallet-foundation/acapy PR 3549).

`install()` makes the Indy handler's `create_pres` build the proof with the AnonCreds
handler on AnonCreds wallets (resolving objects through `AnonCredsRegistry`, which also
reaches an Indy ledger when one is configured) and label it `indy`, the format asked.
Unnecessary once ACA-Py's Indy format handler creates presentations through the
AnonCreds registry on AnonCreds wallets.
"""

import functools

from acapy_agent.protocols.present_proof.v2_0.formats.anoncreds.handler import (
    AnonCredsPresExchangeHandler,
)
from acapy_agent.protocols.present_proof.v2_0.formats.indy.handler import (
    IndyPresExchangeHandler,
)
from acapy_agent.protocols.present_proof.v2_0.message_types import PRES_20
from marshmallow import ValidationError

ANONCREDS_WALLETS = ("askar-anoncreds", "kanon-anoncreds")


def _unwrapped(name):
    """Return the original function of a handler attribute, however often installed."""
    current = IndyPresExchangeHandler.__dict__[name]
    current = getattr(current, "__func__", current)
    return getattr(current, "__wrapped__", current)


def install() -> None:
    """Wrap the Indy handler's `create_pres` and `validate_fields` (never stacking)."""
    _install_create_pres()
    _install_validate_fields()


def _install_validate_fields() -> None:
    original = _unwrapped("validate_fields")

    @functools.wraps(original)
    def validate_fields(cls, message_type, attachment_data):
        try:
            original(cls, message_type, attachment_data)
        except ValidationError:
            if message_type != PRES_20:
                raise
            AnonCredsPresExchangeHandler.validate_fields(message_type, attachment_data)

    IndyPresExchangeHandler.validate_fields = classmethod(validate_fields)


def _install_create_pres() -> None:
    original = _unwrapped("create_pres")

    @functools.wraps(original)
    async def create_pres(self, pres_ex_record, request_data=None):
        if self.profile.settings.get_value("wallet.type") not in ANONCREDS_WALLETS:
            return await original(self, pres_ex_record, request_data)
        handler = AnonCredsPresExchangeHandler(self.profile)
        _format, attachment = await handler.create_pres(pres_ex_record, request_data)
        return self.get_format_data(PRES_20, attachment.content)  # labelled `indy`

    IndyPresExchangeHandler.create_pres = create_pres
