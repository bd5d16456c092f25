"""did:webvh AnonCreds registry for ACA-Py, loaded with `--plugin wallet.webvh`.

An issuer publishes its schemas, credential definitions, revocation registry
definitions and status lists as attested resources of its own did:webvh DID, in a
directory its own HTTPS server serves; holders and verifiers fetch and verify them over
the network. Settings: see `config.py`. The plugin also takes over the holder's tails
download (`tails.py`) and adds admin routes (`routes.py`).
"""

from acapy_agent.anoncreds.registry import AnonCredsRegistry
from acapy_agent.config.injection_context import InjectionContext

from ..errors import ConfigError
from .cache import VerifiedCache, Watermarks
from .config import WebvhConfig
from .didres import DidDocuments
from .fetch import Fetcher, ssl_context
from .issuing import Issuing
from .publication import Publication
from .registry import WebvhRegistry
from .resolver import ResourceResolver
from .tails import install as install_tails_download


def build(config: WebvhConfig) -> WebvhRegistry:
    """Return the registry an agent with `config` uses (nothing started)."""
    fetcher = Fetcher(config.policy, ssl_context(config.ca_file))
    cache_dir = config.cache_dir
    resolver = ResourceResolver(
        fetcher,
        DidDocuments(fetcher, ttl=config.did_ttl),
        VerifiedCache(cache_dir),
        Watermarks(cache_dir / "watermarks.json" if cache_dir else None),
    )
    issuing = Issuing(Publication(config.publish_dir)) if config.publish_dir else None
    return WebvhRegistry(config, resolver, issuing)


async def setup(context: InjectionContext) -> None:
    """Register the did:webvh registry and install the safe tails download."""
    anoncreds = context.inject_or(AnonCredsRegistry)
    if anoncreds is None:
        raise ConfigError(
            "ACA-Py offers no AnonCredsRegistry; run the agent with --wallet-type askar-anoncreds"
        )
    config = WebvhConfig.from_settings(context.settings)
    registry = build(config)
    await registry.setup(context)
    anoncreds.register(registry)
    context.injector.bind_instance(WebvhRegistry, registry)
    install_tails_download(registry.resolver.fetcher, config.tails_max_bytes)
