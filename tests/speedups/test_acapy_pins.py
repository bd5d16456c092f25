"""`wallet.speedups` is pinned to the ACA-Py code it replaces or relies on.

If a pin fails, ACA-Py changed a function a speed-up replaces, wraps or relies on:
read the new source, check the speed-up is still right (each module's docstring
names the upstream change that makes it unnecessary), then update the pin.
"""

import hashlib
import inspect
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from acapy_agent.anoncreds import holder
from acapy_agent.anoncreds.holder import AnonCredsHolder
from acapy_agent.anoncreds.models.proof import AnonCredsProofProofAggregatedProofSchema
from acapy_agent.askar.profile_anon import AskarAnonCredsProfile, AskarAnonCredsProfileSession
from acapy_agent.askar.store import AskarOpenStore
from acapy_agent.config.base import BaseSettings
from acapy_agent.config.settings import Settings
from acapy_agent.core.goal_code_registry import GoalCodeRegistry
from acapy_agent.core.profile import ProfileSession
from acapy_agent.messaging.agent_message import AgentMessageSchema
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
from aries_askar.bindings.lib import Encrypted, RawBuffer

ACAPY_RANGE = "acapy-agent>=1.7,<1.8"
ACAPY_SERIES = (1, 7)
ASKAR_RANGE = "aries-askar>=0.5,<0.6"
ASKAR_SERIES = (0, 5)
PINNED = [
    # validation.py replaces these two with the same mapping on reused schemas.
    (
        AnonCredsPresExchangeHandler,
        "validate_fields",
        "f77d611c7775a3e0e9944c872bbd521e73084d753de72ade4cd66528624f721b",
    ),
    (
        AnonCredsCredFormatHandler,
        "validate_fields",
        "53404ff97ae3f11fa291b9879f5e8377f0f6cb697c75cd0782037eaf88b899ee",
    ),
    # trusted_loads.py wraps these, relying on records rebuilding messages in __init__.
    (
        BaseRecord,
        "from_storage",
        "1161bc5b1eae42dce9f64a1e5e020802202b2e4d8a43013c828cb0377f288a8c",
    ),
    (
        V20PresFormat.Format,
        "validate_fields",
        "473d4f8cdea2e1af6d599f054c76b1eb9cc5e61aca5e0378be1a2fcc0a460f5a",
    ),
    (
        V20CredFormat.Format,
        "validate_fields",
        "473d4f8cdea2e1af6d599f054c76b1eb9cc5e61aca5e0378be1a2fcc0a460f5a",
    ),
    (
        V20PresExRecord,
        "__init__",
        "b03d1461aad2a8aa437698f0e4cde21de149e30c4d9c9e3cc4712e418ff8716f",
    ),
    (
        V20CredExRecord,
        "__init__",
        "23a7faa8eeb87153596f894dc96eed3d0d2dc5c523e51a2014891d5cc06c9d7e",
    ),
    # model_dump.py does what BaseModel.serialize does, on a reused schema.
    (BaseModel, "serialize", "937c77c9c96db3f086be34712dddd672a4d0ed5705c66d76e911f665545986d6"),
    # model_load.py does what BaseModel.deserialize does, on a reused schema where the
    # message schema's only load state is what its __init__ sets, set afresh per load.
    (BaseModel, "deserialize", "fff5571af3e3960f36932eb2f9d794784b0b7357a9025899c74b1ca9523c1986"),
    (
        AgentMessageSchema,
        "__init__",
        "87bbae37b2eed65955b0b489f4bcb1543309047f2b25e54aeb435cc72a4708a3",
    ),
    (
        AgentMessageSchema,
        "extract_decorators",
        "35d104a5937df2bb4d234b991f107d2d54aa3abd85731041a68ee8cfb44915c9",
    ),
    (
        AgentMessageSchema,
        "populate_decorators",
        "318467f18c2df54218a862b5e5fa4419eb6c97a55c736d0a25ed59db3f35fdb5",
    ),
    # saving.py is BaseRecord.save with the log copy made only when log_state prints.
    (BaseRecord, "save", "de6f5fbd3713ef1ac8320ed2bd4a868b85d161480348381b6dcc667d3f07b851"),
    (BaseRecord, "log_state", "4c076d5b2eb1698404b50c47069135b5af466df5874251fb59d705392d3d83a3"),
    (BaseRecord, "post_save", "0d1c64332fa72e3359051b6d190dbbf2f43676831c81d1cf03f0f41fc3cce933"),
    # acks.py wraps the first two and relies on verify_pres honouring will_confirm.
    (
        V20PresManager,
        "create_exchange_for_request",
        "2736493913fe90a7f081ff6356ab64e0048a7672d5528234aac2ec833254f22b",
    ),
    (
        V20PresManager,
        "create_pres",
        "ad4f23e695dcfce35bd05c1e599b108edb8668781977d45e061d533062f552ab",
    ),
    (
        V20PresManager,
        "verify_pres",
        "4a0fd33474b63ff273df65ce84ac38728506694cf3405b285853680e65490f99",
    ),
    # ack_peers.py wraps receive_disclose, sends ACA-Py's own query and registers a goal code.
    (
        V20DiscoveryMgr,
        "receive_disclose",
        "621aaf2349453ee9ce6b59d54399b6beb0c3332d95413472ac72d953918a6d53",
    ),
    (
        V20DiscoveryMgr,
        "create_and_send_query",
        "645c87f7d0f3f1442f3598b7b843cfa23d494d52c6cebaeae275870395b7e4d9",
    ),
    (
        V20DiscoveryMgr,
        "execute_goal_code_query",
        "689712a8977e4c0ea17eb066a69df560d27cf2e6d812c862993fcdff41723833",
    ),
    (
        GoalCodeRegistry,
        "register_controllers",
        "9dc59c9dde784ad8280d26c266c3e5081bd056151ef74602dd2e8a30d9c1a5dd",
    ),
    # credential_changes.py wraps the store every store path ends in, and the deletion.
    (
        AnonCredsHolder,
        "_finish_store_credential",
        "4d22797cbd1e54ae9cf76364a8409821cf3b436bca43d0dc2551d43bb99c30d1",
    ),
    (
        AnonCredsHolder,
        "store_credential",
        "0125bde12267494110e65d2dbff056ade866a5d613b42840d8dfb255221ea55d",
    ),
    (
        AnonCredsHolder,
        "store_credential_w3c",
        "c7427ababc02bcfdd810c462e570cd3b02939aae010b1fa009f7a711489be2aa",
    ),
    (
        AnonCredsHolder,
        "delete_credential",
        "b5612d484750963176f2099416cb3e4ddb48307540467f8d118dd21fd12b79d0",
    ),
    # routes.py reads credentials by id as these two do, in one session.
    (
        AnonCredsHolder,
        "get_credential",
        "62e07b6c84964e981f11510cf7a98c82c7fd7deec4ee8490a5e3d9badd96a09d",
    ),
    (
        AnonCredsHolder,
        "_get_credential",
        "b38202d1d68b38425c5f0b6784c4181e400b998028a4a19a0b015ecdcc1c41c4",
    ),
    # session_reuse.py wraps the session's setup and teardown (relying on the pending
    # session made in __init__, awaited in _setup, and on __aexit__ tearing down with no
    # commit), the store's close and the profile's removal.
    (
        AskarAnonCredsProfileSession,
        "__init__",
        "6c0fc84e4cdf3ee292df81926586cffa2dadec7e5cc982318dd57787f89d12bb",
    ),
    (
        AskarAnonCredsProfileSession,
        "_setup",
        "0180cc7bf206dfc89be3332bcf400522f548e52cf76661c7c6cbda96b00195b0",
    ),
    (
        AskarAnonCredsProfileSession,
        "_teardown",
        "4dea9ef3bf9702d4381a3f25dd2aa432d4e9c715ca2f1e4bfda9a541278f716d",
    ),
    (
        ProfileSession,
        "__aexit__",
        "86136965358e05710d525bb14666928094db17c9fff9aa402f6d15d0df89507a",
    ),
    (AskarOpenStore, "close", "4e9dc15c3df2a8315ea0b08430030a90ebb496c9d3c72be1b887afb355b4f56d"),
    (
        AskarAnonCredsProfile,
        "remove",
        "9667d4ece663c11481f265efb2e32f5a80d2f0b73914cea36ac88118cd0f08e2",
    ),
    # webhook_trace.py wraps the first, relying on the second only scheduling delivery.
    (
        OutboundTransportManager,
        "enqueue_webhook",
        "506592f3d386830b2b7300764d6cd64fcc52599a2f41bf8b9361c087c77851c4",
    ),
    (
        OutboundTransportManager,
        "process_queued",
        "8983f825812abe0af6106daebcbc27feb8ce36adeceb23b7eb0950c9c9e4edba",
    ),
    # settings_copy.py replaces the first; the copy is what the other two answer per key.
    (
        Settings,
        "__init__",
        "b552efc9cc9a543e60409688b64d4a87232151a4c8a73aef330eddf07b59824d",
    ),
    (Settings, "get_value", "c7f28ef74fe11f798dcf6ec0229fd697a0634244a8ca04db266513eb6a5bbbf5"),
    (
        BaseSettings,
        "__getitem__",
        "8932091a070a26c1293299bfb0ad3b5c7c82b9ac7526a418d18c676870dae267",
    ),
    # pres_attachment.py replaces this with the same checks on one decoded copy.
    (
        V20PresSchema,
        "validate_fields",
        "2a7ccbf25b5fdbc8f079056ed32cf0a913950a5381a5c1d3d5f8626acfda3ef9",
    ),
]

PINNED_FUNCTIONS = [
    # routes.py builds each credential's info with this module function.
    (holder, "_make_cred_info", "7cd3fe631ab4a14146242d5b9180d374b89a73ef01008cb7d78272064854be79"),
    # webhook_trace.py answers as this one does for the webhook payloads it marks.
    (
        tracing,
        "tracing_enabled",
        "8fc8d20c093156d668df4fa5a55243e3e9129ca84e7061a9fd0fd45abccfb806",
    ),
]


# proof_fields.py replaces one declared field of this schema class; askar_buffers.py
# replaces Encrypted.__getitem__, reading the buffer's fields (RawBuffer) itself.
PINNED_CLASSES = [
    (
        AnonCredsProofProofAggregatedProofSchema,
        "60c53f127f00a5d444cf72fcf148b3fc162a4b88bc982f6b73487707b8401087",
    ),
    (Encrypted, "006b850ed455fecc979a466a04134c0add8f213ad30de7f5f44bb7d42923674e"),
    (RawBuffer, "2a74399365c40bdecdd4e4742fb4e2e3e2272385b3fafb29c267ee2807a898c2"),
]


def original(cls, name):
    """Return ACA-Py's own function behind a class attribute, speed-up installed or not."""
    attribute = cls.__dict__[name]
    return inspect.unwrap(getattr(attribute, "__func__", attribute))


def test_acapy_is_the_series_the_speedups_were_written_for():
    version = metadata.version("acapy-agent")
    assert tuple(int(part) for part in version.split(".")[:2]) == ACAPY_SERIES, (
        f"ACA-Py {version}: re-check wallet/speedups against it, then update ACAPY_SERIES"
    )


def test_askar_is_the_series_the_speedups_were_written_for():
    version = metadata.version("aries-askar")
    assert tuple(int(part) for part in version.split(".")[:2]) == ASKAR_SERIES, (
        f"aries-askar {version}: re-check wallet/speedups/askar_buffers.py, then update"
        " ASKAR_SERIES"
    )


@pytest.mark.parametrize("pinned", [ACAPY_RANGE, ASKAR_RANGE])
def test_pyproject_pins_the_series(pinned):
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    assert pinned in [re.sub(r"\s+", "", d) for d in dependencies]


@pytest.mark.parametrize(("cls", "name", "digest"), PINNED)
def test_acapy_source_under_a_speedup_is_unchanged(cls, name, digest):
    source = inspect.getsource(original(cls, name))
    assert hashlib.sha256(source.encode()).hexdigest() == digest, (
        f"ACA-Py changed {cls.__name__}.{name}: re-check wallet/speedups, then update the pin"
    )


@pytest.mark.parametrize(("cls", "digest"), PINNED_CLASSES)
def test_acapy_class_under_a_speedup_is_unchanged(cls, digest):
    source = inspect.getsource(cls)
    assert hashlib.sha256(source.encode()).hexdigest() == digest, (
        f"{cls.__module__.split('.')[0]} changed {cls.__name__}: re-check wallet/speedups,"
        " then update the pin"
    )


@pytest.mark.parametrize(("module", "name", "digest"), PINNED_FUNCTIONS)
def test_acapy_function_under_a_speedup_is_unchanged(module, name, digest):
    source = inspect.getsource(getattr(module, name))
    assert hashlib.sha256(source.encode()).hexdigest() == digest, (
        f"ACA-Py changed {module.__name__}.{name}: re-check wallet/speedups, then update the pin"
    )
