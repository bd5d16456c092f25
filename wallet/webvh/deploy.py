"""Parties on separate machines: each with its own home, the issuer's HTTPS server between them.

`WebvhAgents` adapts one party's agent options (through `Deployment(registry=...)`) to the
did:webvh registry: the `wallet.webvh` plugin instead of `wallet.registry`, the trust
anchors and cache inside the party's own home and, for the issuer, where it publishes and
the public address of its tails files. Nothing points into another party's home.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..settings import HOST
from .config import CONFIG_NAME, Site

PLUGIN = "wallet.webvh"
REPLACED_PLUGIN = "wallet.registry"
REPLACED_CONFIG = "tessera_registry."
PUBLISH_PORT = 8443
ISSUER_HOST = "issuer.tessera.localhost"
WEBVH_DIR = "webvh"


@dataclass(frozen=True)
class Network:
    """What every party knows of the issuer's publications: its site and whom to trust.

    `ca_cert` is the certificate of the CA that signed the issuer's server certificate,
    copied into each party's home when that party starts (None: the system's CAs, for a
    real issuer with a public certificate). `allow_loopback` is test and demo
    configuration only.
    """

    site: Site
    ca_cert: Path | None = None
    allow_loopback: bool = False

    @classmethod
    def local(cls, port_offset: int, ca_cert: Path) -> "Network":
        """Return the one-machine network of tests and the demo."""
        return cls(Site(ISSUER_HOST, PUBLISH_PORT + port_offset), Path(ca_cert), True)


def party_dir(home: Path) -> Path:
    """Return the did:webvh directory inside a party's home."""
    return Path(home) / WEBVH_DIR


def publish_dir(home: Path) -> Path:
    """Return the issuer's web root inside its home."""
    return party_dir(home) / "publish"


def trusted_ca(home: Path, network: Network) -> Path | None:
    """Copy the network's CA certificate into the party's home; return the copy's path."""
    if network.ca_cert is None:
        return None
    target = party_dir(home) / "trust" / "ca.pem"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != network.ca_cert.read_bytes():
        shutil.copyfile(network.ca_cert, target)
    return target


class WebvhAgents:
    """Agent options for one party's agents under the did:webvh registry."""

    def __init__(self, home, network: Network, tails_port: int | None = None):
        """Use the party's own `home`; `tails_port` is the issuer's loopback tails upload."""
        self.home = Path(home)
        self.network = network
        self.tails_port = tails_port

    def agent_args(self, role: str, resolved: dict) -> dict:
        """Return `resolved` (one agent's options) adapted to the did:webvh registry."""
        args = dict(resolved)
        plugins = [p for p in args.get("plugin") or () if p != REPLACED_PLUGIN]
        args["plugin"] = [PLUGIN, *[p for p in plugins if p != PLUGIN]]
        values = [
            v for v in args.get("plugin-config-value") or () if not v.startswith(REPLACED_CONFIG)
        ]
        own = party_dir(self.home)
        values += [
            f"{CONFIG_NAME}.allow_loopback={str(self.network.allow_loopback).lower()}",
            f"{CONFIG_NAME}.cache_dir={own / 'cache' / role}",
        ]
        ca = trusted_ca(self.home, self.network)
        if ca is not None:
            values.append(f"{CONFIG_NAME}.ca_file={ca}")
        loopback_tails = args.pop("tails-server-base-url", None)
        upload = args.pop("tails-server-upload-url", None)
        if role == "issuer":
            values += [
                f"{CONFIG_NAME}.publish_dir={publish_dir(self.home)}",
                f"{CONFIG_NAME}.host={self.network.site}",
            ]
            site = self.network.site
            authority = f"{site.host}:{site.port}" if site.port else site.host
            # Holders download from the issuer's HTTPS server; the agent uploads to its
            # loopback tails server (with the secret upload URL the deployment gives it).
            args["tails-server-base-url"] = f"https://{authority}/tails"
            args["tails-server-upload-url"] = (
                upload
                or loopback_tails
                or (f"http://{HOST}:{self.tails_port}" if self.tails_port else None)
            )
            if args["tails-server-upload-url"] is None:
                del args["tails-server-upload-url"]
        args["plugin-config-value"] = values
        return args
