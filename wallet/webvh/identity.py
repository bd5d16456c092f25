"""The issuer's did:webvh identity inside its agent: keys in the wallet, log in storage.

One DID per issuer agent. Its two Ed25519 keys are created in the agent's wallet and
never leave it; the DID log lines are kept in the agent's storage (a record of type
`tessera_webvh_did`), the source from which the publication directory is (re)written.
"""

import datetime
import json
from dataclasses import asdict, dataclass

from acapy_agent.core.profile import Profile
from acapy_agent.storage.base import BaseStorage
from acapy_agent.storage.record import StorageRecord
from acapy_agent.wallet.base import BaseWallet
from acapy_agent.wallet.key_type import ED25519
from acapy_agent.wallet.keys.manager import verkey_to_multikey

from .config import Site
from .did import Key, assertion_method_id, create_genesis, log_text
from .ids import WebvhDid, parse_did
from .proof import Signer
from .publication import Publication

RECORD_TYPE = "tessera_webvh_did"


def wallet_signer(profile: Profile, verkey: str) -> Signer:
    """Return a signer that signs with the wallet's key `verkey`."""

    async def sign(message: bytes) -> bytes:
        async with profile.session() as session:
            return await session.inject(BaseWallet).sign_message(message, verkey)

    return sign


@dataclass(frozen=True)
class Identity:
    """The issuer's DID, its keys (by verkey) and its log lines."""

    did: str
    update_verkey: str
    assertion_verkey: str
    log: tuple[str, ...]

    @property
    def parsed(self) -> WebvhDid:
        """Return the parsed DID."""
        return parse_did(self.did)

    @property
    def method_id(self) -> str:
        """Return the verification method that signs resources."""
        return assertion_method_id(self.did)

    @property
    def assertion_multikey(self) -> str:
        """Return the public assertion key as a multikey."""
        return verkey_to_multikey(self.assertion_verkey, alg="ed25519")

    def signer(self, profile: Profile) -> Signer:
        """Return the signer of resources."""
        return wallet_signer(profile, self.assertion_verkey)

    def publish_log(self, publication: Publication) -> None:
        """Write the DID log into the publication directory."""
        publication.write_log(self.parsed, log_text(self.log))


async def load(profile: Profile) -> Identity | None:
    """Return the agent's issuer identity, or None if it has none yet."""
    async with profile.session() as session:
        found = await session.inject(BaseStorage).find_all_records(RECORD_TYPE)
    if not found:
        return None
    value = json.loads(sorted(found, key=lambda r: r.id)[0].value)
    return Identity(
        value["did"], value["update_verkey"], value["assertion_verkey"], tuple(value["log"])
    )


async def _new_key(profile: Profile) -> str:
    async with profile.session() as session:
        return (await session.inject(BaseWallet).create_key(ED25519)).verkey


async def create(profile: Profile, site: Site, now: datetime.datetime) -> Identity:
    """Create the DID on `site` with two new wallet keys, store and return it."""
    update_verkey = await _new_key(profile)
    assertion_verkey = await _new_key(profile)
    update, assertion = (
        Key(verkey_to_multikey(verkey, alg="ed25519"), wallet_signer(profile, verkey))
        for verkey in (update_verkey, assertion_verkey)
    )
    state = await create_genesis(site.host, site.port, site.path, update, assertion, now)
    identity = Identity(state.document_id, update_verkey, assertion_verkey, (state.history_json(),))
    record = StorageRecord(
        RECORD_TYPE,
        json.dumps({**asdict(identity), "log": list(identity.log)}),
        {"did": identity.did},
    )
    async with profile.session() as session:
        await session.inject(BaseStorage).add_record(record)
    return identity
