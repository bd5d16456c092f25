"""A verifier may say it will not confirm; a holder told so ends its exchange itself.

Present-proof 2.0 (RFC 0454) lets a verifier's request say whether it will confirm
the presentation with an ack (`will_confirm`). ACA-Py 1.7.0 hard-codes
`will_confirm=True` in its send-request routes, so every proof costs a fourth
message: the verifier packs and sends an ack, and the holder unpacks it, loads its
exchange record and saves it again, only to move it to `done`. Tessera's controller
reads nothing from that ack: the verifier's result is on the verifier.

`tessera_speedups.presentation_ack` says what the free requests an agent sends
promise: `true` (the default, ACA-Py's own), `false` (never), or `auto` (what
`agent_config/verifier.yml` sets): no ack only to a peer that said it ends its
exchange without one (`ack_peers.py` asks each peer once, by discover-features).
When a request says `will_confirm: false`, ACA-Py's own `verify_pres` sends no ack,
as the protocol says. A holder that answered such a request has nothing left to wait
for: ACA-Py's one save of its record, as the presentation is made, says `done`
rather than `presentation-sent`, so the record is written and announced once (its
`verified` stays unset: it was never told). Requests bound to a proposal keep
their acks.

Unnecessary once ACA-Py lets a request's sender choose `will_confirm`, and ends a
prover's exchange itself when no ack was promised (upstream `protocols/present_proof/
v2_0/routes.py` and `manager.py`).
"""

import functools

from acapy_agent.config.plugin_settings import PLUGIN_CONFIG_KEY
from acapy_agent.protocols.present_proof.v2_0.manager import V20PresManager
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecord

from ..errors import ConfigError
from . import ack_peers
from .unwrap import acapy_original

CONFIG_NAME = "tessera_speedups"
AUTO = "auto"


def presentation_ack(settings):
    """Return what this agent's free proof requests promise: True, False or `AUTO`."""
    config = (settings.get(PLUGIN_CONFIG_KEY) or {}).get(CONFIG_NAME) or {}
    value = config.get("presentation_ack", True)
    if isinstance(value, str) and value.lower() in ("true", "false", AUTO):
        value = {"true": True, "false": False}.get(value.lower(), AUTO)
    if not isinstance(value, bool) and value != AUTO:
        raise ConfigError(
            f"{CONFIG_NAME}.presentation_ack must be true, false or auto, not {value!r}."
        )
    return value


def asks_peers(settings) -> bool:
    """Return True when this agent promises acks only to peers that need them."""
    return presentation_ack(settings) == AUTO


async def promises_ack(profile, connection_id) -> bool:
    """Return whether a free request to `connection_id` promises an ack."""
    promise = presentation_ack(profile.settings)
    if promise != AUTO:
        return promise
    peers = profile.inject_or(ack_peers.Peers)
    if peers is None or not connection_id:
        return True
    return not await peers.ends_without_ack(profile, connection_id)


def ends_when_sent(record):
    """Return True when a prover's exchange has nothing left once its presentation is sent."""
    request = record.pres_request
    return (
        record.role == V20PresExRecord.ROLE_PROVER
        and record.state == V20PresExRecord.STATE_PRESENTATION_SENT
        and request is not None
        and not request.will_confirm
    )


async def _save_ended(record, session, *, reason=None, **kw):
    """Save `record`; as `done` where ACA-Py saves it as sent and no ack is coming."""
    if ends_when_sent(record):
        record.state = V20PresExRecord.STATE_DONE
        reason = "v2.0 presentation sent, no ack promised"
    return await type(record).save(record, session, reason=reason, **kw)


def _unwrapped(name):
    return acapy_original(V20PresManager, name)


def install() -> None:
    """Wrap `create_exchange_for_request` and `create_pres` (never stacking)."""
    request_original = _unwrapped("create_exchange_for_request")
    pres_original = _unwrapped("create_pres")

    @functools.wraps(request_original)
    async def create_exchange_for_request(self, connection_id, pres_request_message, *a, **kw):
        if not await promises_ack(self._profile, connection_id):
            pres_request_message.will_confirm = False
        return await request_original(self, connection_id, pres_request_message, *a, **kw)

    @functools.wraps(pres_original)
    async def create_pres(self, pres_ex_record, *a, **kw):
        # ACA-Py saves the record once, as presentation-sent: saved as done instead, it is
        # written and announced once, not twice.
        pres_ex_record.save = functools.partial(_save_ended, pres_ex_record)
        try:
            return await pres_original(self, pres_ex_record, *a, **kw)
        finally:
            del pres_ex_record.save

    V20PresManager.create_exchange_for_request = create_exchange_for_request
    V20PresManager.create_pres = create_pres
