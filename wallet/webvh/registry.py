"""The AnonCreds registrar and resolver ACA-Py calls for did:webvh identifiers.

Resolving fetches attested resources from the issuer's web server and verifies them
(`resolver.py`); registering publishes them in this issuer agent's publication
directory (`issuing.py`), served by the issuer's own HTTPS server.
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
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

from ..errors import ConfigError, InputError, IntegrityError, NotFound, RegistryError
from . import identity as identities
from .attested import CRED_DEF, REV_REG_DEF, SCHEMA
from .config import WebvhConfig
from .errors import FetchRefused, Unreachable
from .identity import Identity
from .ids import SUPPORTED_IDENTIFIERS
from .issuing import Issuing
from .parsed import ParsedModels
from .resolver import ResourceResolver

LOGGER = logging.getLogger(__name__)


@contextlib.contextmanager
def resolving(name: str) -> Iterator[None]:
    """Turn Tessera errors into ACA-Py resolution errors with plain reasons."""
    try:
        yield
    except NotFound as err:
        raise AnonCredsObjectNotFound(str(err)) from err
    except IntegrityError as err:
        raise AnonCredsResolutionError(
            f"{err}. It cannot be trusted and was not used; ask the issuer to publish it again"
        ) from err
    except (Unreachable, FetchRefused) as err:
        raise AnonCredsResolutionError(f"Cannot resolve {name}: {err}") from err
    except (InputError, RegistryError, BaseModelError) as err:
        raise AnonCredsResolutionError(f"Cannot resolve {name}: {err}") from err


@contextlib.contextmanager
def registering(name: str) -> Iterator[None]:
    """Turn Tessera errors into ACA-Py registration errors."""
    try:
        yield
    except (InputError, RegistryError, ConfigError) as err:
        raise AnonCredsRegistrationError(f"Cannot register {name}: {err}") from err


class WebvhRegistry(BaseAnonCredsResolver, BaseAnonCredsRegistrar):
    """did:webvh AnonCreds objects: resolved over HTTPS, published by their issuer."""

    def __init__(self, config: WebvhConfig, resolver: ResourceResolver, issuing: Issuing | None):
        """Resolve with `resolver`; publish with `issuing` (None: this agent issues nothing)."""
        self.config = config
        self.resolver = resolver
        self.issuing = issuing
        self._identity_lock = asyncio.Lock()
        self._parsed = ParsedModels()

    @property
    def supported_identifiers_regex(self) -> Pattern:
        """Match did:webvh DIDs and resource ids."""
        return SUPPORTED_IDENTIFIERS

    async def setup(self, context: InjectionContext) -> None:
        """Log what this agent does."""
        where = self.config.publish_dir if self.issuing else "nowhere (resolving only)"
        LOGGER.info("did:webvh AnonCreds registry: publishing to %s", where)

    # The issuer's identity

    async def identity(self, profile: Profile, create: bool = False) -> Identity | None:
        """Return this issuer's identity (creating it if asked); republish its log."""
        if self.issuing is None:
            raise ConfigError(
                "This agent publishes nothing: give it tessera_webvh.publish_dir and "
                "tessera_webvh.host to make it an issuer"
            )
        async with self._identity_lock:
            found = await identities.load(profile)
            if found is None and create:
                found = await identities.create(profile, self.config.site, self.issuing.now())
                LOGGER.info("Created the issuer DID %s", found.did)
            if found is not None:
                await asyncio.to_thread(found.publish_log, self.issuing.publication)
            return found

    async def _own(self, profile: Profile, issuer_id: str) -> Identity:
        found = await self.identity(profile)
        if found is None or found.did != issuer_id:
            raise InputError(
                f"This agent controls no did:webvh DID {issuer_id}; create its DID with "
                "POST /tessera/webvh/did and use the id it returns as issuerId"
            )
        return found

    async def _publish(self, profile, issuer_id, content, kind, name) -> str:
        identity = await self._own(profile, issuer_id)
        return await self.issuing.publish(profile, identity, content, kind, name)

    # Registrar

    async def register_schema(
        self, profile: Profile, schema: AnonCredsSchema, options: dict | None = None
    ) -> SchemaResult:
        """Publish a schema."""
        with registering(f"schema {schema.name} {schema.version}"):
            schema_id = await self._publish(
                profile, schema.issuer_id, schema.serialize(), SCHEMA, schema.name
            )
        return SchemaResult(
            job_id=None, schema_state=SchemaState(SchemaState.STATE_FINISHED, schema_id, schema)
        )

    async def register_credential_definition(
        self,
        profile: Profile,
        schema: GetSchemaResult,
        credential_definition: CredDef,
        options: dict | None = None,
    ) -> CredDefResult:
        """Publish a credential definition."""
        cred_def = credential_definition
        with registering(f"credential definition {cred_def.tag}"):
            if cred_def.schema_id != schema.schema_id:
                raise InputError(f"The definition names schema {cred_def.schema_id}")
            cred_def_id = await self._publish(
                profile, cred_def.issuer_id, cred_def.serialize(), CRED_DEF, cred_def.tag
            )
        return CredDefResult(
            job_id=None,
            credential_definition_state=CredDefState(
                CredDefState.STATE_FINISHED, cred_def_id, cred_def
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
        """Publish a revocation registry definition (with an empty index)."""
        rev_reg_def = revocation_registry_definition
        with registering(f"revocation registry {rev_reg_def.tag}"):
            content = rev_reg_def.serialize()
            rev_reg_id = await self._publish(
                profile, rev_reg_def.issuer_id, content, REV_REG_DEF, rev_reg_def.tag
            )
        return RevRegDefResult(
            job_id=None,
            revocation_registry_definition_state=RevRegDefState(
                RevRegDefState.STATE_FINISHED, rev_reg_id, rev_reg_def
            ),
            registration_metadata={},
            revocation_registry_definition_metadata={},
        )

    async def _append(self, profile: Profile, rev_list: RevList) -> RevListResult:
        with registering(f"revocation list of {rev_list.rev_reg_def_id}"):
            identity = await self._own(profile, rev_list.issuer_id)
            content = await self.issuing.append_status_list(
                profile, identity, rev_list.rev_reg_def_id, rev_list.serialize()
            )
        return RevListResult(
            job_id=None,
            revocation_list_state=RevListState(
                RevListState.STATE_FINISHED, RevList.deserialize(content)
            ),
            registration_metadata={},
            revocation_list_metadata={},
        )

    async def register_revocation_list(
        self, profile: Profile, rev_reg_def: RevRegDef, rev_list: RevList, options=None
    ) -> RevListResult:
        """Publish the first status list and link it from the registry definition."""
        return await self._append(profile, rev_list)

    async def update_revocation_list(
        self,
        profile: Profile,
        rev_reg_def: RevRegDef,
        prev_list: RevList,
        curr_list: RevList,
        revoked: Sequence[int],
        options: dict | None = None,
    ) -> RevListResult:
        """Publish `curr_list` as a new status list, stamped after the previous one."""
        if curr_list.rev_reg_def_id != prev_list.rev_reg_def_id:
            raise AnonCredsRegistrationError("The previous and current lists name two registries")
        return await self._append(profile, curr_list)

    # Resolver

    async def get_schema(self, profile: Profile, schema_id: str) -> GetSchemaResult:
        """Return a verified schema."""
        with resolving(schema_id):
            content, metadata = await self.resolver.content(schema_id, SCHEMA)
            schema = self._parsed.parse(AnonCredsSchema, schema_id, content)
        return GetSchemaResult(
            schema=schema, schema_id=schema_id, resolution_metadata={}, schema_metadata=metadata
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
        with resolving(credential_definition_id):
            content, metadata = await self.resolver.content(credential_definition_id, CRED_DEF)
            cred_def = self._parsed.parse(CredDef, credential_definition_id, content)
        return GetCredDefResult(
            credential_definition_id=credential_definition_id,
            credential_definition=cred_def,
            resolution_metadata={},
            credential_definition_metadata=metadata,
        )

    async def get_revocation_registry_definition(
        self, profile: Profile, revocation_registry_id: str
    ) -> GetRevRegDefResult:
        """Return a verified revocation registry definition."""
        with resolving(revocation_registry_id):
            content, metadata = await self.resolver.content(revocation_registry_id, REV_REG_DEF)
            rev_reg_def = self._parsed.parse(RevRegDef, revocation_registry_id, content)
        return GetRevRegDefResult(
            revocation_registry=rev_reg_def,
            revocation_registry_id=revocation_registry_id,
            resolution_metadata={},
            revocation_registry_metadata=metadata,
        )

    async def get_revocation_list(
        self,
        profile: Profile,
        revocation_registry_id: str,
        timestamp_from: int | None = 0,
        timestamp_to: int | None = None,
    ) -> GetRevListResult:
        """Return the verified status list in force at `timestamp_to` (newest if None)."""
        with resolving(f"the revocation status of {revocation_registry_id}"):
            content = await self.resolver.status_list(revocation_registry_id, timestamp_to)
            rev_list = RevList.deserialize(content)
        return GetRevListResult(
            revocation_list=rev_list, resolution_metadata={}, revocation_registry_metadata={}
        )
