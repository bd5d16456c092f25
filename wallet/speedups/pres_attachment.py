"""A presentation's attachment decoded once when the message is validated, not twice.

ACA-Py 1.7.0's `V20PresSchema.validate_fields` reads `atch.content` (base64 decode
and JSON parse of the whole presentation) once to ask whether it is a list, then
again to validate it: twice per arriving presentation, about 5% of the verifier's
event loop at 16 proofs in flight.

`install()` replaces it with the same checks in the same order, on one decoded copy
held for that call only (a decoded copy is never shared: ACA-Py's verifier changes
the dicts it is given). Unnecessary once ACA-Py reads the content once (upstream
`protocols/present_proof/v2_0/messages/pres.py`, `V20PresSchema.validate_fields`).
"""

import functools
from collections.abc import Sequence

from acapy_agent.protocols.present_proof.v2_0.message_types import PRES_20
from acapy_agent.protocols.present_proof.v2_0.messages.pres import V20PresSchema
from acapy_agent.protocols.present_proof.v2_0.messages.pres_format import V20PresFormat
from marshmallow import ValidationError

from .unwrap import acapy_original


def validate_fields(self, data, **kwargs):
    """Validate each presentation attachment per its format (ACA-Py's checks)."""
    formats = data.get("formats") or []
    attachments = data.get("presentations_attach") or []
    if len(formats) != len(attachments):
        raise ValidationError("Formats/attachments length mismatch")

    for fmt in formats:
        atch = next((a for a in attachments if a.ident == fmt.attach_id), None)
        if atch is None:
            raise ValidationError(f"No attachment for attach_id {fmt.attach_id} in formats")
        pres_format = V20PresFormat.Format.get(fmt.format)
        if pres_format:
            content = atch.content
            if isinstance(content, Sequence):
                for el in content:
                    pres_format.validate_fields(PRES_20, el)
            else:
                pres_format.validate_fields(PRES_20, content)


def install() -> None:
    """Replace `V20PresSchema.validate_fields` (idempotent; the marshmallow hook kept)."""
    V20PresSchema.validate_fields = functools.wraps(
        acapy_original(V20PresSchema, "validate_fields")
    )(validate_fields)
