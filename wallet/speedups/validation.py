"""Attachment validation with schemas built once per thread, not once per message.

ACA-Py 1.7.0 validates every AnonCreds attachment (a proof request, an 18 KB
presentation, a credential offer, request or credential) by building a fresh
marshmallow schema, `Schema(unknown=RAISE).load(data)`. Building the nested proof
schema (about twenty nested schemas, each copying its fields) cost the verifier more
than the validation itself. These schemas hold no state between loads (no
`AgentMessageSchema` among them; `tests/speedups` checks it), so one instance per
thread validates exactly as a fresh one does.

`install()` replaces the AnonCreds format handlers' `validate_fields` with the same
mapping and the same `load`, on a reused instance. Unnecessary once ACA-Py keeps the
validation schemas it builds (upstream `protocols/present_proof/v2_0/formats/anoncreds/
handler.py` and `protocols/issue_credential/v2_0/formats/anoncreds/handler.py`,
`validate_fields`).
"""

from acapy_agent.protocols.issue_credential.v2_0.formats.anoncreds import handler as cred_handler
from acapy_agent.protocols.present_proof.v2_0.formats.anoncreds import handler as pres_handler
from marshmallow import RAISE

from .reuse import per_thread


def schema(schema_class):
    """Return this thread's reused instance of a stateless validation schema."""
    return per_thread(schema_class, RAISE)


def pres_schemas():
    """Return {message type: schema class} as ACA-Py's AnonCreds proof handler maps them."""
    return {
        pres_handler.PRES_20_REQUEST: pres_handler.AnonCredsPresentationRequestSchema,
        pres_handler.PRES_20_PROPOSAL: pres_handler.AnonCredsPresentationRequestSchema,
        pres_handler.PRES_20: pres_handler.AnonCredsProofSchema,
    }


def cred_schemas():
    """Return {message type: schema class} as ACA-Py's AnonCreds credential handler maps them."""
    return {
        cred_handler.CRED_20_PROPOSAL: cred_handler.AnonCredsCredentialDefinitionProposal,
        cred_handler.CRED_20_OFFER: cred_handler.AnonCredsCredentialOfferSchema,
        cred_handler.CRED_20_REQUEST: cred_handler.AnonCredsCredRequestSchema,
        cred_handler.CRED_20_ISSUE: cred_handler.AnonCredsCredentialSchema,
    }


def _validator(mapping, original):
    def validate_fields(cls, message_type, attachment_data):
        schema(mapping[message_type]).load(attachment_data)

    validate_fields.__wrapped__ = original
    validate_fields.__doc__ = original.__doc__
    return classmethod(validate_fields)


def _original(cls):
    current = cls.__dict__["validate_fields"]
    current = getattr(current, "__func__", current)
    return getattr(current, "__wrapped__", current)


def install() -> None:
    """Replace both AnonCreds handlers' `validate_fields` (never stacking)."""
    for cls, mapping in (
        (pres_handler.AnonCredsPresExchangeHandler, pres_schemas()),
        (cred_handler.AnonCredsCredFormatHandler, cred_schemas()),
    ):
        cls.validate_fields = _validator(mapping, _original(cls))
