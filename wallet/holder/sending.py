"""A presentation and its history entry: both, even when the wallet is killed between them.

The entry is held as pending (`HistoryLog.pending`) before the agent is asked to send,
and written once the agent answered. A wallet killed in between settles it at its
next unlock by asking the agent: an exchange that carries a presentation (or is gone,
removed once done) was sent, and the entry is written once; one still waiting for the
person's answer was not, and the entry is dropped (the request still waits).
"""

import logging

from ..errors import AgentError, WalletError

LOG = logging.getLogger(__name__)
SENT = ("presentation-sent", "done")


def send_logged(history, agent, pres_ex_id, entry, send):
    """Hold `entry`, call `send()`, write the entry; return what `send()` returned.

    When `send()` fails the agent is asked whether the presentation left anyway.
    """
    history.pending.hold(pres_ex_id, entry)
    try:
        result = send()
    except BaseException:
        settle_one(history, agent, pres_ex_id)
        raise
    history.pending.settle(pres_ex_id, happened=True)
    return result


def was_sent(agent, pres_ex_id):
    """Return True when the holder's exchange `pres_ex_id` carries a presentation (or is gone)."""
    try:
        record = agent.admin.get(f"/present-proof-2.0/records/{pres_ex_id}")
    except AgentError as exc:
        if exc.status == 404:  # removed: ACA-Py removes exchanges once done unless preserved
            return True
        raise
    return record.get("state") in SENT or bool((record.get("by_format") or {}).get("pres"))


def settle_one(history, agent, pres_ex_id):
    """Settle the entry held for `pres_ex_id`; one the agent cannot tell about stays held."""
    try:
        history.pending.settle(pres_ex_id, was_sent(agent, pres_ex_id))
    except WalletError as exc:
        LOG.warning("The history entry of %s stays pending: %s", pres_ex_id, exc)


def settle(history, agent):
    """At unlock: write the held entries of presentations that left, drop the others."""
    try:
        keys = history.pending.keys()
    except WalletError as exc:
        history.notices.append(str(exc))
        LOG.warning("%s", exc)
        return
    for pres_ex_id in keys:
        settle_one(history, agent, pres_ex_id)
