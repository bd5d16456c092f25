"""The contract between the inbox and the holder agent's `wallet.inbound` plugin.

The inbox sends each envelope with a delivery id in `X-Tessera-Delivery`. The plugin's
inbound transport answers only once the message's handler has run and its records are
stored, echoing the id in `X-Tessera-Delivered` with the outcome in `X-Tessera-Outcome`:

- `processed`: the handler ran; the inbox may forget the envelope;
- `duplicate`: the agent had already processed this message (by sender and message id);
  the inbox may forget it too;
- `failed`: the handler raised; the inbox keeps the envelope and retries with backoff.

A 2xx without the echo (a stock ACA-Py answers 200 *before* processing) proves nothing:
the inbox keeps the envelope and records why.
"""

import re

DELIVERY_HEADER = "X-Tessera-Delivery"
DELIVERED_HEADER = "X-Tessera-Delivered"
OUTCOME_HEADER = "X-Tessera-Outcome"

PROCESSED = "processed"
DUPLICATE = "duplicate"
FAILED = "failed"
DONE = (PROCESSED, DUPLICATE)
OUTCOMES = (PROCESSED, DUPLICATE, FAILED)

DELIVERY_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def delivery_id(header):
    """Return a well-formed delivery id from a header value, or '' when absent or malformed."""
    value = (header or "").strip()
    return value if DELIVERY_ID.match(value) else ""
