"""Which agent and wallet each role talks to: the one place that decides it.

Everything that needs an admin client, a port, a key or a data path for a role gets
it from a `Deployment`. Hosting many people later changes this module (a tenant
token, another base URL), not the flows or the web apps.
"""

import concurrent.futures
import contextlib
import sys

from ..errors import ConfigError
from ..secrets import ensure_private_dir, load_or_create
from ..settings import HOST, ROLES
from ..tails.server import TAILS_PORT, TailsServer, upload_url
from .admin import AdminClient
from .config import load_role_file, ports_of, resolve_args, split_secrets, write_arg_file
from .process import AgentProcess

# The holder's `wallet.inbound` plugin registers its keys with the inbox using this key
# file (the inbox reads the same one: `wallet.inbox.holder.control_key`).
INBOUND_KEY_OPTION = "tessera_inbound.control_key_file"
INBOX_CONTROL_KEY = "inbox.control-key"


class Deployment:
    """The embedded default: one single-wallet ACA-Py agent per role on loopback."""

    def __init__(self, settings, config_dir=None, registry=None):
        """Remember settings; files and keys are created on first use.

        `registry`, when given, adapts each agent's options to another AnonCreds registry
        (its `agent_args(role, options)` returns the options to use); by default the
        settings' `agent_registry`, and without one the did:tessera registry in
        `settings.registry_dir`.
        """
        self.settings = settings
        self.registry = registry if registry is not None else settings.agent_registry
        self._config_dir = config_dir
        self._role_files = {}
        self._clients = {}

    def role_file(self, role):
        """Return the role's arg-file options (read once)."""
        if role not in ROLES:
            raise ConfigError(f"Unknown agent role '{role}'; expected one of {', '.join(ROLES)}.")
        if role not in self._role_files:
            kwargs = {"config_dir": self._config_dir} if self._config_dir else {}
            self._role_files[role] = load_role_file(role, **kwargs)
        return self._role_files[role]

    def ports(self, role):
        """Return the role's ports, offset applied."""
        return ports_of(self.role_file(role), self.settings.port_offset)

    def admin_url(self, role):
        """Return the base URL of the role's admin API."""
        return f"http://{HOST}:{self.ports(role).admin}"

    def api_key(self, role):
        """Return the role's admin API key, generated on first use."""
        return load_or_create(self.settings.secrets_dir, f"{role}.admin-api-key")

    def wallet_key(self, role):
        """Return the role's wallet key, generated on first use (firms' agents, demo holder)."""
        return load_or_create(self.settings.secrets_dir, f"{role}.wallet-key")

    def tails_url(self):
        """Return the base URL of the loopback tails server (written into rev reg defs)."""
        return f"http://{HOST}:{TAILS_PORT + self.settings.port_offset}"

    def tails_upload_token(self):
        """Return the secret only the issuer's agent uploads tails files with."""
        return load_or_create(self.settings.secrets_dir, "tails.upload-token")

    def tails_server(self):
        """Return the tails server for this deployment's data, not yet started."""
        return TailsServer(
            self.settings.home / "tails",
            self.tails_upload_token(),
            port=TAILS_PORT + self.settings.port_offset,
        )

    def admin(self, role):
        """Return the (shared) admin client of a role."""
        if role not in self._clients:
            self._clients[role] = AdminClient(self.admin_url(role), api_key=self.api_key(role))
        return self._clients[role]

    def process(
        self, role, webhook_url=None, wallet_key=None, endpoint=None, python=sys.executable
    ):
        """Return an `AgentProcess` for the role, its arg file written and ready to start.

        `endpoint` is the public DIDComm endpoint written into the role's DIDs (default:
        its own inbound port); the holder's is its inbox once there is one.
        """
        role_dir = self.settings.role_dir(role)
        ensure_private_dir(role_dir)
        ports = self.ports(role)
        resolved = resolve_args(
            self.role_file(role),
            ports=ports,
            api_key=self.api_key(role),
            wallet_key=wallet_key or self.wallet_key(role),
            webhook_url=webhook_url,
            registry_dir=self.settings.registry_dir,
            endpoint=endpoint,
            tails_url=self.tails_url(),
            tails_upload_url=(
                upload_url(self.tails_url(), self.tails_upload_token())
                if role == "issuer"
                else None
            ),
            loopback_egress=self.settings.loopback_egress,
        )
        if role == "holder":
            resolved = with_inbox_key(resolved, self.settings)
        if self.registry is not None:
            resolved = self.registry.agent_args(role, resolved)
        else:
            self.settings.registry_dir.mkdir(parents=True, exist_ok=True)
        public, secrets = split_secrets(resolved)
        arg_file = write_arg_file(public, role_dir / "run" / "args.yml")
        client = AdminClient(self.admin_url(role), api_key=self.api_key(role))
        return AgentProcess(
            role,
            arg_file,
            home=role_dir / "home",
            log_path=role_dir / "logs" / "agent.log",
            ports=ports,
            admin=client,
            python=python,
            secrets=secrets,
        )

    def close(self):
        """Close every admin client."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def with_inbox_key(resolved, settings):
    """Return the holder's options naming its inbox control key file (`wallet.inbound`).

    Said outright rather than found from the registry directory: a registry plugin
    other than did:tessera's (did:webvh) has no such directory.
    """
    values = list(resolved.get("plugin-config-value") or [])
    if not any(v.startswith(INBOUND_KEY_OPTION) for v in values):
        values.append(f"{INBOUND_KEY_OPTION}={settings.secrets_dir / INBOX_CONTROL_KEY}")
    return {**resolved, "plugin-config-value": values}


@contextlib.contextmanager
def running_agents(deployment, roles, hub=None):
    """Start the tails server and the agents of `roles`; yield the agents; stop all on exit."""
    procs = {
        role: deployment.process(role, webhook_url=hub.url_for(role) if hub else None)
        for role in roles
    }
    tails = deployment.tails_server().start()
    try:
        with concurrent.futures.ThreadPoolExecutor(len(procs) or 1) as pool:
            futures = [pool.submit(proc.start) for proc in procs.values()]
            for future in futures:
                future.result()
        yield procs
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.stop()
        tails.stop()
