"""The AnonCreds registrar and resolver that ACA-Py calls for did:tessera identifiers.

Registration signs each object with the issuer's Ed25519 key from the agent's wallet
and stores it; resolution verifies digest and signature on every read. Revocation lists
are a history: each registration or update appends an entry stamped by the store's
clock, strictly later than the previous entry, and a read returns the newest entry at
or before the requested time.
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from re import Pattern

from acapy_agent.anoncreds.base import (
    AnonCredsObjectNotFound,
    AnonCredsRegistrationError,
    AnonCredsResolutionError,
    BaseAnonCredsRegistrar,
    BaseAnonCredsResolver,
)
from acapy_agent.anoncreds.models.credential_definition import (
    CredDef,
    CredDefResult,
    CredDefState,
    GetCredDefResult,
)
from acapy_agent.anoncreds.models.revocation import (
    GetRevListResult,
    GetRevRegDefResult,
    RevList,
    RevListResult,
    RevListState,
    RevRegDef,
    RevRegDefResult,
    RevRegDefState,
)
from acapy_agent.anoncreds.models.schema import (
    AnonCredsSchema,
    GetSchemaResult,
    SchemaResult,
    SchemaState,
)
from acapy_agent.anoncreds.models.schema_info import AnonCredsSchemaInfo
from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.core.profile import Profile
from acapy_agent.messaging.models.base import BaseModelError
from acapy_agent.wallet.base import BaseWallet
from acapy_agent.wallet.error import WalletError as AcaPyWalletError

from ..errors import InputError, IntegrityError, NotFound, RegistryError, WriteConflict
from .ids import (
    CRED_DEF,
    REV_REG_DEF,
    SCHEMA,
    SUPPORTED_IDENTIFIERS,
    issuer_verkey,
    object_id,
    parse_object_id,
)
from .signing import (
    REV_LIST,
    SignedRecord,
    signing_payload,
    verify_object,
    verify_rev_list_entry,
)
from .store import RegistryStore

LOGGER = logging.getLogger(__name__)
APPEND_ATTEMPTS = 8


@contextlib.contextmanager
def _resolving(name: str) -> Iterator[None]:
    """Turn Tessera errors into ACA-Py resolution errors."""
    try:
        yield
    except NotFound as err:
        raise AnonCredsObjectNotFound(str(err)) from err
    except IntegrityError as err:
        raise AnonCredsResolutionError(
            f"{err}. The copy in the registry directory cannot be trusted and was not used; "
            "ask the issuer to publish it again"
        ) from err
    except (InputError, RegistryError, BaseModelError) as err:
        raise AnonCredsResolutionError(f"Cannot resolve {name}: {err}") from err


@contextlib.contextmanager
def _registering(name: str) -> Iterator[None]:
    """Turn Tessera errors into ACA-Py registration errors."""
    try:
        yield
    except (InputError, NotFound, RegistryError) as err:
        raise AnonCredsRegistrationError(f"Cannot register {name}: {err}") from err


class TesseraRegistry(BaseAnonCredsResolver, BaseAnonCredsRegistrar):
    """Ledger-less AnonCreds registry for did:tessera ids, kept in a RegistryStore."""

    def __init__(self, store: RegistryStore):
        """Serve objects from `store`."""
        self.store = store
        # id -> (store version token, verified content). An object is verified again
        # whenever its token changes, so a file edited or swapped on disk is caught.
        self._verified = {}

    @property
    def supported_identifiers_regex(self) -> Pattern:
        """Match did:tessera issuer ids and object ids, nothing else."""
        return SUPPORTED_IDENTIFIERS

    async def setup(self, context: InjectionContext) -> None:
        """Log where the registry lives."""
        LOGGER.info("Tessera AnonCreds registry serves did:tessera ids from %r", self.store)

    # Signing and storing

    async def _sign(
        self, profile: Profile, kind: str, record_id: str, issuer_id: str, content: Mapping
    ) -> SignedRecord:
        """Sign a record with the issuer's key held in the agent's wallet."""
        content = dict(content)
        payload = signing_payload(kind, record_id, content)
        async with profile.session() as session:
            wallet = session.inject(BaseWallet)
            try:
                signature = await wallet.sign_message(payload, issuer_verkey(issuer_id))
            except AcaPyWalletError as err:
                raise AnonCredsRegistrationError(
                    f"This agent's wallet cannot sign for {issuer_id} ({err}). Create the "
                    'issuer key with POST /wallet/did/create {"method": "key", "options": '
                    '{"key_type": "ed25519"}} and use did:tessera:<the did:key multibase> '
                    "as issuerId."
                ) from err
        return SignedRecord(kind, record_id, content, signature)

    async def _publish(self, profile: Profile, kind: str, issuer_id: str, content: Mapping) -> str:
        """Sign, check and store an object; return its id."""
        record_id = object_id(kind, issuer_id, content)
        record = await self._sign(profile, kind, record_id, issuer_id, content)
        verify_object(record, record_id)
        await asyncio.to_thread(self.store.put_object, record)
        return record_id

    async def fetch_verified(self, wanted_id: str, kind: str) -> dict:
        """Read an object and verify it against its id."""
        parse_object_id(wanted_id, kind)
        # `version` is a cheap token (a stat for the file store): called here, not in the
        # executor, where under load it would queue behind AnonCreds work for ~100 ms.
        token = self.store.version(wanted_id)
        cached = self._verified.get(wanted_id)
        if token is not None and cached is not None and cached[0] == token:
            return cached[1]
        record = await asyncio.to_thread(self.store.get_object, wanted_id)
        verify_object(record, wanted_id)
        if token is not None:
            self._verified[wanted_id] = (token, record.content)
        return record.content

    async def _append_rev_list(self, profile: Profile, rev_list: RevList) -> RevList:
        """Sign and append a revocation list entry stamped by the store; return it stamped."""
        rev_reg_id = rev_list.rev_reg_def_id
        issuer_id = parse_object_id(rev_reg_id, REV_REG_DEF).issuer_id
        if rev_list.issuer_id != issuer_id:
            raise InputError(f"The list names issuer {rev_list.issuer_id}, not {issuer_id}")
        await self.fetch_verified(rev_reg_id, REV_REG_DEF)  # published and intact
        unstamped = rev_list.serialize()
        for _attempt in range(APPEND_ATTEMPTS):
            stamp = await asyncio.to_thread(self.store.next_timestamp, rev_reg_id)
            content = {**unstamped, "timestamp": stamp}
            entry = await self._sign(profile, REV_LIST, rev_reg_id, issuer_id, content)
            verify_rev_list_entry(entry, rev_reg_id, stamp)
            try:
                await asyncio.to_thread(self.store.append_rev_list, entry)
            except WriteConflict as err:
                LOGGER.debug("Retrying revocation list append: %s", err)
                continue
            return RevList.deserialize(content)
        raise WriteConflict(
            f"Revocation list of {rev_reg_id}: other writers kept appending; "
            f"gave up after {APPEND_ATTEMPTS} attempts, try again"
        )

    # Registrar

    async def register_schema(
        self, profile: Profile, schema: AnonCredsSchema, options: dict | None = None
    ) -> SchemaResult:
        """Sign and store a schema."""
        with _registering(f"schema {schema.name} {schema.version}"):
            schema_id = await self._publish(profile, SCHEMA, schema.issuer_id, schema.serialize())
        return SchemaResult(
            job_id=None,
            schema_state=SchemaState(SchemaState.STATE_FINISHED, schema_id, schema),
        )

    async def register_credential_definition(
        self,
        profile: Profile,
        schema: GetSchemaResult,
        credential_definition: CredDef,
        options: dict | None = None,
    ) -> CredDefResult:
        """Sign and store a credential definition."""
        with _registering(f"credential definition {credential_definition.tag}"):
            if credential_definition.schema_id != schema.schema_id:
                raise InputError(
                    f"The definition names schema {credential_definition.schema_id}, "
                    f"not {schema.schema_id}"
                )
            cred_def = credential_definition
            cred_def_id = await self._publish(
                profile, CRED_DEF, cred_def.issuer_id, cred_def.serialize()
            )
        return CredDefResult(
            job_id=None,
            credential_definition_state=CredDefState(
                CredDefState.STATE_FINISHED, cred_def_id, credential_definition
            ),
            registration_metadata={},
            credential_definition_metadata={},
        )

    async def register_revocation_registry_definition(
        self,
        profile: Profile,
        revocation_registry_definition: RevRegDef,
        options: dict | None = None,
    ) -> RevRegDefResult:
        """Sign and store a revocation registry definition."""
        rev_reg_def = revocation_registry_definition
        with _registering(f"revocation registry {rev_reg_def.tag}"):
            rev_reg_id = await self._publish(
                profile, REV_REG_DEF, rev_reg_def.issuer_id, rev_reg_def.serialize()
            )
        return RevRegDefResult(
            job_id=None,
            revocation_registry_definition_state=RevRegDefState(
                RevRegDefState.STATE_FINISHED, rev_reg_id, rev_reg_def
            ),
            registration_metadata={},
            revocation_registry_definition_metadata={},
        )

    async def register_revocation_list(
        self,
        profile: Profile,
        rev_reg_def: RevRegDef,
        rev_list: RevList,
        options: dict | None = None,
    ) -> RevListResult:
        """Append the first revocation list entry, stamped by the store's clock."""
        with _registering(f"revocation list of {rev_list.rev_reg_def_id}"):
            stamped = await self._append_rev_list(profile, rev_list)
        return RevListResult(
            job_id=None,
            revocation_list_state=RevListState(RevListState.STATE_FINISHED, stamped),
            registration_metadata={},
            revocation_list_metadata={},
        )

    async def update_revocation_list(
        self,
        profile: Profile,
        rev_reg_def: RevRegDef,
        prev_list: RevList,
        curr_list: RevList,
        revoked: Sequence[int],
        options: dict | None = None,
    ) -> RevListResult:
        """Append `curr_list` as a new entry; its own timestamp is replaced by the store's."""
        with _registering(f"revocation list of {curr_list.rev_reg_def_id}"):
            if curr_list.rev_reg_def_id != prev_list.rev_reg_def_id:
                raise InputError("The previous and current lists name different registries")
            stamped = await self._append_rev_list(profile, curr_list)
        return RevListResult(
            job_id=None,
            revocation_list_state=RevListState(RevListState.STATE_FINISHED, stamped),
            registration_metadata={},
            revocation_list_metadata={},
        )

    # Resolver

    async def get_schema(self, profile: Profile, schema_id: str) -> GetSchemaResult:
        """Return a verified schema."""
        with _resolving(schema_id):
            content = await self.fetch_verified(schema_id, SCHEMA)
            schema = AnonCredsSchema.deserialize(content)
        return GetSchemaResult(
            schema=schema, schema_id=schema_id, resolution_metadata={}, schema_metadata={}
        )

    async def get_schema_info_by_id(self, profile: Profile, schema_id: str) -> AnonCredsSchemaInfo:
        """Return issuer id, name and version of a verified schema."""
        schema = (await self.get_schema(profile, schema_id)).schema
        return AnonCredsSchemaInfo(
            issuer_id=schema.issuer_id, name=schema.name, version=schema.version
        )

    async def get_credential_definition(
        self, profile: Profile, credential_definition_id: str
    ) -> GetCredDefResult:
        """Return a verified credential definition."""
        with _resolving(credential_definition_id):
            content = await self.fetch_verified(credential_definition_id, CRED_DEF)
            cred_def = CredDef.deserialize(content)
        return GetCredDefResult(
            credential_definition_id=credential_definition_id,
            credential_definition=cred_def,
            resolution_metadata={},
            credential_definition_metadata={},
        )

    async def get_revocation_registry_definition(
        self, profile: Profile, revocation_registry_id: str
    ) -> GetRevRegDefResult:
        """Return a verified revocation registry definition."""
        with _resolving(revocation_registry_id):
            content = await self.fetch_verified(revocation_registry_id, REV_REG_DEF)
            rev_reg_def = RevRegDef.deserialize(content)
        return GetRevRegDefResult(
            revocation_registry=rev_reg_def,
            revocation_registry_id=revocation_registry_id,
            resolution_metadata={},
            revocation_registry_metadata={},
        )

    async def get_revocation_list(
        self,
        profile: Profile,
        revocation_registry_id: str,
        timestamp_from: int | None = 0,
        timestamp_to: int | None = None,
    ) -> GetRevListResult:
        """Return the verified list in force at `timestamp_to` (newest if None).

        Entries are full states, so `timestamp_from` does not change the answer.
        """
        rev_reg_id = revocation_registry_id
        with _resolving(f"the revocation list of {rev_reg_id}"):
            parse_object_id(rev_reg_id, REV_REG_DEF)
            entry = await asyncio.to_thread(self.store.get_rev_list, rev_reg_id, timestamp_to)
            verify_rev_list_entry(entry, rev_reg_id, None)
            if timestamp_to is not None and entry.timestamp > timestamp_to:
                raise IntegrityError(
                    f"Revocation list of {rev_reg_id} failed its integrity check: "
                    f"asked for {timestamp_to}, got an entry stamped {entry.timestamp}"
                )
            rev_list = RevList.deserialize(entry.content)
        return GetRevListResult(
            revocation_list=rev_list, resolution_metadata={}, revocation_registry_metadata={}
        )
