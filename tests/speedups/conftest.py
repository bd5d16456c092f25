"""Install `wallet.speedups` for one test and put ACA-Py back as it was afterwards."""

import pytest
from acapy_agent.anoncreds.holder import AnonCredsHolder
from acapy_agent.anoncreds.models.proof import AnonCredsProofProofAggregatedProofSchema
from acapy_agent.askar.profile_anon import AskarAnonCredsProfile, AskarAnonCredsProfileSession
from acapy_agent.askar.store import AskarOpenStore
from acapy_agent.config.settings import Settings
from acapy_agent.messaging.models.base import BaseModel
from acapy_agent.messaging.models.base_record import BaseRecord
from acapy_agent.protocols.discovery.v2_0.manager import V20DiscoveryMgr
from acapy_agent.protocols.issue_credential.v2_0.formats.anoncreds.handler import (
    AnonCredsCredFormatHandler,
)
from acapy_agent.protocols.issue_credential.v2_0.messages.cred_format import V20CredFormat
from acapy_agent.protocols.issue_credential.v2_0.models.cred_ex_record import V20CredExRecord
from acapy_agent.protocols.present_proof.v2_0.formats.anoncreds.handler import (
    AnonCredsPresExchangeHandler,
)
from acapy_agent.protocols.present_proof.v2_0.manager import V20PresManager
from acapy_agent.protocols.present_proof.v2_0.messages.pres import V20PresSchema
from acapy_agent.protocols.present_proof.v2_0.messages.pres_format import V20PresFormat
from acapy_agent.protocols.present_proof.v2_0.models.pres_exchange import V20PresExRecord
from acapy_agent.transport.outbound.manager import OutboundTransportManager
from acapy_agent.utils import tracing
from aries_askar.bindings.lib import Encrypted

import wallet.speedups

TOUCHED = [
    (AnonCredsPresExchangeHandler, "validate_fields"),
    (AnonCredsCredFormatHandler, "validate_fields"),
    (V20PresExRecord, "from_storage"),
    (V20CredExRecord, "from_storage"),
    (V20PresFormat.Format, "validate_fields"),
    (V20CredFormat.Format, "validate_fields"),
    (BaseModel, "serialize"),
    (BaseModel, "deserialize"),
    (AskarAnonCredsProfileSession, "_setup"),
    (AskarAnonCredsProfileSession, "_teardown"),
    (AskarOpenStore, "close"),
    (AskarAnonCredsProfile, "remove"),
    (BaseRecord, "save"),
    (V20PresManager, "create_exchange_for_request"),
    (V20PresManager, "create_pres"),
    (V20DiscoveryMgr, "receive_disclose"),
    (AnonCredsHolder, "_finish_store_credential"),
    (AnonCredsHolder, "delete_credential"),
    (OutboundTransportManager, "enqueue_webhook"),
    (tracing, "tracing_enabled"),
    (Settings, "__init__"),
    (V20PresSchema, "validate_fields"),
    (Encrypted, "__getitem__"),
]
_MISSING = object()


@pytest.fixture
def speedups():
    """Install the speed-ups; afterwards restore every class attribute they replaced."""
    saved = [(cls, name, cls.__dict__.get(name, _MISSING)) for cls, name in TOUCHED]
    declared = AnonCredsProofProofAggregatedProofSchema._declared_fields
    c_list = declared["c_list"]
    wallet.speedups.install()
    yield wallet.speedups
    declared["c_list"] = c_list
    for cls, name, value in saved:
        if value is _MISSING:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            setattr(cls, name, value)
