"""Put ACA-Py's outbound HTTP transport behind Tessera's egress policy (runs in the agent).

ACA-Py 1.7 posts every outbound DIDComm message through `HttpTransport`
(acapy_agent/transport/outbound/http.py): one aiohttp `ClientSession` made in
`start()` with the system resolver, `trust_env=True` (proxies from the environment)
and aiohttp's default of following redirects, so an endpoint answering 307 had the
message re-posted wherever it pointed. `install()` replaces `start`, `stop` and
`handle_message` so that every message goes to the canonical URL, through a
connector whose resolver checks every address it hands out (`resolve.py`), with no
proxy and no redirect: a 3xx answer is a refusal, logged as "Egress refused".

Webhooks to the controller use the same transport. They are posted, unchecked but
also without redirects, only when ACA-Py queued them itself (no profile) and the
endpoint is one of the agent's own `--webhook-url`s: the controller is on loopback
even in production, and no firm can choose that endpoint.

This patch is tied to the exact `HttpTransport` source (a test pins its SHA-256 and
the ACA-Py versions below). It would be unnecessary if ACA-Py let a deployment give
the HTTP transport its own aiohttp connector or resolver (or an egress policy hook)
and stopped following redirects on outbound DIDComm posts.
"""

import logging
from collections.abc import Mapping

from acapy_agent.config.plugin_settings import PLUGIN_CONFIG_KEY
from acapy_agent.transport.outbound.base import OutboundTransportError
from acapy_agent.transport.outbound.http import HttpTransport
from acapy_agent.transport.stats import StatsTracer
from acapy_agent.transport.wire_format import DIDCOMM_V0_MIME_TYPE, DIDCOMM_V1_MIME_TYPE
from acapy_agent.version import __version__ as ACAPY_VERSION
from aiohttp import ClientError, ClientSession, DummyCookieJar, TCPConnector

from ..errors import ConfigError
from .client import guarded_session, refusal_of
from .resolve import prepare
from .target import EgressRefused, shorten

LOGGER = logging.getLogger(__name__)
CONFIG_NAME = "tessera_egress"
# The ACA-Py versions whose HttpTransport this module was written against: [low, high).
ACAPY_VERSIONS = ((1, 7, 0), (1, 8, 0))
# sha256 of inspect.getsource(HttpTransport) in ACA-Py 1.7.0; tests fail when it changes.
HTTP_TRANSPORT_SHA256 = "b0359af0fe2d56e8bd6eb95c72e726a33008a664855a17413922b6d2d3f14c2a"


def allow_loopback(settings: Mapping) -> bool:
    """Return the deployment's `tessera_egress.allow_loopback` (absent: False); checked."""
    config = (settings.get(PLUGIN_CONFIG_KEY) or {}).get(CONFIG_NAME) or {}
    value = config.get("allow_loopback", False)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{CONFIG_NAME}.allow_loopback must be true (demo and test worlds only) or false, "
            f"not {value!r}."
        )
    return value


def version_supported(version: str = ACAPY_VERSION) -> bool:
    """Tell whether `version` is in the ACA-Py range this patch was written for."""
    try:
        numbers = tuple(int(part) for part in version.split(".")[:3])
    except ValueError:
        return False
    low, high = ACAPY_VERSIONS
    return low <= numbers < high


def install(settings: Mapping) -> None:
    """Check the settings and make every HttpTransport in this process obey the policy."""
    if not version_supported():
        raise ConfigError(
            f"wallet.egress was written for ACA-Py {ACAPY_VERSIONS}, not {ACAPY_VERSION}; "
            "check acapy_agent/transport/outbound/http.py and update the plugin."
        )
    allow_loopback(settings)
    others = [t for t in settings.get("transport.outbound_configs") or [] if t != "http"]
    if others:
        raise ConfigError(
            f"wallet.egress guards only the http outbound transport; remove {others} from "
            "outbound-transport."
        )
    HttpTransport.start = guarded_start
    HttpTransport.stop = guarded_stop
    HttpTransport.handle_message = guarded_handle_message


def webhook_bases(settings: Mapping) -> tuple[str, ...]:
    """Return the prefixes of the webhook endpoints ACA-Py builds from `--webhook-url`."""
    urls = settings.get("admin.webhook_urls") or []
    return tuple(f"{url.split('#', 1)[0]}/topic/" for url in urls if isinstance(url, str))


async def guarded_start(self: HttpTransport) -> HttpTransport:
    """Start the transport with a policy-checked connector and a controller-only session."""
    settings = self.root_profile.settings if self.root_profile else {}
    self.tessera_allow_loopback = allow_loopback(settings)
    self.tessera_webhooks = webhook_bases(settings)
    session_args = {}
    if self.collector:
        session_args["trace_configs"] = [StatsTracer(self.collector, "outbound-http:")]
    self.client_session = guarded_session(
        allow_loopback=self.tessera_allow_loopback,
        connector_args={"limit": 200, "limit_per_host": 50},
        **session_args,
    )
    self.connector = self.client_session.connector
    self.tessera_controller = ClientSession(
        cookie_jar=DummyCookieJar(), connector=TCPConnector(limit=50), trust_env=False
    )
    LOGGER.info(
        "Egress policy on: public addresses only%s, no redirects",
        " and loopback (demo or test world)" if self.tessera_allow_loopback else "",
    )
    return self


async def guarded_stop(self: HttpTransport) -> None:
    """Close both sessions."""
    await self.client_session.close()
    self.client_session = None
    await self.tessera_controller.close()


async def guarded_handle_message(
    self: HttpTransport, profile, payload, endpoint, metadata=None, api_key=None
):
    """Post one message under the egress policy (ACA-Py's signature and errors)."""
    if not endpoint:
        raise OutboundTransportError("No endpoint provided")
    if profile is None and endpoint.startswith(self.tessera_webhooks):
        session, url = self.tessera_controller, endpoint
    else:
        try:
            url = prepare(endpoint, allow_loopback=self.tessera_allow_loopback).url
        except EgressRefused as err:
            raise _refused(endpoint, str(err)) from None
        session = self.client_session
    headers = metadata or {}
    if api_key is not None:
        headers["x-api-key"] = api_key
    if isinstance(payload, bytes):
        new_type = profile is not None and profile.settings.get("emit_new_didcomm_mime_type")
        headers["Content-Type"] = DIDCOMM_V1_MIME_TYPE if new_type else DIDCOMM_V0_MIME_TYPE
    else:
        headers["Content-Type"] = "application/json"
    try:
        async with session.post(url, data=payload, headers=headers, allow_redirects=False) as resp:
            if 300 <= resp.status < 400:  # the controller's session has no middleware
                raise _refused(endpoint, f"It answered HTTP {resp.status}, a redirect.")
            if resp.status < 200 or resp.status > 299:
                raise OutboundTransportError(
                    f"Unexpected response status {resp.status}, caused by: {resp.reason}"
                )
    except (EgressRefused, ClientError) as err:
        refusal = refusal_of(err)
        if refusal is None:
            raise
        raise _refused(endpoint, str(refusal)) from None


def _refused(endpoint, reason):
    """Log a refusal and return the transport error ACA-Py expects."""
    LOGGER.warning("Egress refused for %s: %s", shorten(endpoint), reason)
    return OutboundTransportError(f"Egress refused: {reason}")
