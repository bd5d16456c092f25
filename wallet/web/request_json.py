"""The JSON body of an API call: depth checked before parsing, an object or nothing.

Python's parser recurses once per nesting level, so a body nested 100,000 deep would
raise `RecursionError`; `wallet.inbox.jsonsafe` measures the depth first (the same
check the inbox and the webhook hub use).
"""

from flask import request

from ..errors import InputError
from ..inbox import jsonsafe

MAX_DEPTH = 32  # the deepest document the API takes (rules, prices) nests about 6 levels


def body():
    """Return the request's JSON object ({} for an empty body); raise `InputError` else."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    data = jsonsafe.loads(raw, MAX_DEPTH, "The request body")
    if not isinstance(data, dict):
        raise InputError("Send a JSON object as the request body.")
    return data
