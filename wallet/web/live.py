"""Live updates: a long poll woken by the holder agent's webhooks, with pending counts.

Every open tab long-polls; when an event wakes them all, they share one inbox read
per change (`InboxCache`), so a burst of tabs never becomes a burst of admin calls
(the holder's SQLite pool is small: docs/acapy-findings.md).
"""

import logging
import math
import threading
import time

from flask import Blueprint, current_app, jsonify, request

from ..errors import InputError, WalletError
from ..holder import receipt_book, records, set_aside
from .context import agent, schemas, service

bp = Blueprint("live", __name__, url_prefix="/live")
LONG_POLL = 20.0
ERASURE_EVERY = 60.0
LOG = logging.getLogger(__name__)


def inbox(holder, catalogue, waiting):
    """Return the pending offers and requests as short JSON summaries."""
    labels = records.connection_labels(holder)
    offers = [
        {"id": o.cred_ex_id, "from": o.issuer, "title": o.schema_label, "kind": "offer"}
        for o in records.offers(holder, catalogue, waiting)
    ]
    asks = [
        {
            "id": r.pres_ex_id,
            "from": labels.get(r.connection_id, "(unknown firm)"),
            "title": _title(r, catalogue),
            "kind": "request",
        }
        for r in records.pending_requests(holder, waiting)
    ]
    return {"offers": offers, "requests": asks, "count": len(offers) + len(asks)}


def _title(record, catalogue):
    """Return a request's title; a set-aside one says so (it can only be declined)."""
    name, problems = set_aside.problems(record, catalogue)
    return f"Set aside: {name or 'Proof request'}" if problems else name or "Proof request"


class InboxCache:
    """The inbox as of one change sequence, computed once however many tabs ask."""

    def __init__(self):
        """Start empty."""
        self._lock = threading.Lock()
        self._seq = None
        self._body = None

    def get(self, seq, compute):
        """Return the inbox for `seq`, computing it only when `seq` is new."""
        with self._lock:
            if self._seq != seq:
                self._body = compute()
                self._seq = seq
            return dict(self._body)


@bp.route("/wait")
def wait():
    """Answer at once when `since` is stale, else when the agent reports a change."""
    since, timeout = _wait_args(request.args)
    seq = service().wait_change(since, timeout)
    _erasure_due()
    holder = agent()
    cache = current_app.extensions.setdefault("live_inbox", InboxCache())
    body = cache.get(seq, lambda: inbox(holder, schemas(), service().waiting))
    body["seq"] = seq
    return jsonify(body)


def _wait_args(args):
    """Return (since, timeout) from the query; timeout clamped to [0, LONG_POLL].

    A timeout that is not a finite number (`nan` would wait forever) is refused.
    """
    try:
        since = int(args.get("since", "-1"))
        timeout = float(args.get("timeout", LONG_POLL))
    except ValueError:
        raise InputError(
            "'since' must be a whole number and 'timeout' a number of seconds."
        ) from None
    if not math.isfinite(timeout):
        raise InputError("'timeout' must be a finite number of seconds.")
    return since, min(max(timeout, 0.0), LONG_POLL)


def _erasure_due():
    """Ask for erasure of receipts whose retention ended (at most once a minute)."""
    state = current_app.extensions.setdefault("erasure_due", {"last": float("-inf")})
    now = time.monotonic()
    if now - state["last"] < ERASURE_EVERY:
        return
    state["last"] = now
    try:
        receipt_book.request_due(agent(), service().data_dir, current_app.config["WALL_CLOCK"]())
    except WalletError as exc:
        LOG.warning("Could not ask for erasure of expired receipts: %s", exc)
