"""A proof's `c_list` validated in one pass when it is what it must be: rows of ints.

An AnonCreds proof's `aggregated_proof.c_list` holds its commitments as rows of byte
values, about three thousand integers for the bench's two-credential proof. ACA-Py
1.7.0 declares it `List(List(Int()))`, so marshmallow deserializes and validates each
integer as a field of its own: that was nine tenths of the fields, and a quarter of
the verifier's event loop, in every presentation that arrives.

`install()` gives the schema a `c_list` field that accepts a list of lists of plain
`int`s in one pass, returning what ACA-Py's field returns for them (new lists of the
same ints), and hands anything else to ACA-Py's own field, so every refusal (a bool,
a string, a null, a row that is not a list) is ACA-Py's, with its own message. The
check stays as strict as before. Unnecessary once ACA-Py validates `c_list` without
a field per integer (upstream `anoncreds/models/proof.py`,
`AnonCredsProofProofAggregatedProofSchema`).
"""

from acapy_agent.anoncreds.models.proof import AnonCredsProofProofAggregatedProofSchema
from marshmallow import fields


class IntRows(fields.List):
    """`List(List(Int()))` with a one-pass path for rows of plain ints."""

    def __init__(self, original):
        """Wrap ACA-Py's field: same inner field, same options."""
        super().__init__(original.inner, **_options(original))
        self.original = original

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is list and all(
            type(row) is list and all(type(x) is int for x in row) for row in value
        ):
            return [list(row) for row in value]
        return super()._deserialize(value, attr, data, **kwargs)


def _options(field):
    """Return the keyword options a marshmallow field was built with."""
    return {
        "required": field.required,
        "allow_none": field.allow_none,
        "data_key": field.data_key,
        "metadata": field.metadata,
        "validate": field.validators or None,
    }


def install() -> None:
    """Replace the aggregated proof schema's declared `c_list` field (idempotent)."""
    declared = AnonCredsProofProofAggregatedProofSchema._declared_fields
    current = declared["c_list"]
    original = getattr(current, "original", current)
    declared["c_list"] = IntRows(original)
