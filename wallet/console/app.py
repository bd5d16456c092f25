"""The console application factory: one Flask app per firm role, bound to its own agent."""

import datetime
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from ..agent.handle import Agent
from ..errors import ConfigError
from ..receipts.keys import KeyRing
from ..schemas import SCHEMA_DIR, load_all
from ..secrets import load_or_create
from ..settings import default_home
from . import auth, errors, words
from .countersign import Countersigner
from .jobs import JobBoard
from .request_templates import REQUESTS_DIR
from .trust import Trust

ROLES = ("issuer", "verifier")


def _agent_and_defaults(role, source):
    """Return (Agent, default config) from an `Agent` or a `Deployment`."""
    if isinstance(source, Agent):
        if source.role != role:
            raise ConfigError(f"The {role} console was given the {source.role} agent.")
        return source, {"DATA_DIR": default_home() / "console" / role}
    if hasattr(source, "admin") and hasattr(source, "settings"):
        home = source.settings.home
        return Agent(role, source.admin(role)), {
            "DATA_DIR": home / "console" / role,
            "REGISTRY_DIR": source.settings.registry_dir,
        }
    raise ConfigError("create_app needs the firm's Agent or the Deployment it runs in.")


def close_app(app):
    """Stop the console's background work (the verifier's countersigner), before its agent."""
    signer = app.extensions["tessera"].pop("countersigner", None)
    if signer is not None:
        signer.stop()


def create_app(role, agent_or_deployment, test_config=None):
    """Build the `role` console ("issuer" or "verifier") talking to that role's agent.

    Config keys: DATA_DIR (console secrets and saved request templates), CONSOLE_TOKEN
    (login password; generated into DATA_DIR/secrets when absent), SCHEMA_DIR,
    REQUESTS_DIR, TRUSTED_ISSUERS and TRUSTED_CRED_DEFS (verifier), REGISTRY_DIR, and
    CLOCK (a callable returning today's date, for age-like thresholds), COUNTERSIGN
    (verifier, default True: countersign receipts as they arrive, on a worker thread
    stopped by `close_app(app)`).
    """
    if role not in ROLES:
        raise ConfigError(f"No console for role '{role}'; choose one of {', '.join(ROLES)}.")
    agent, defaults = _agent_and_defaults(role, agent_or_deployment)
    app = Flask(__name__)
    app.config.update(
        SCHEMA_DIR=SCHEMA_DIR,
        REQUESTS_DIR=REQUESTS_DIR,
        TRUSTED_ISSUERS=[],
        TRUSTED_CRED_DEFS=[],
        REGISTRY_DIR=None,
        CLOCK=datetime.date.today,
        SESSION_COOKIE_NAME=f"tessera_{role}_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        TRUSTED_HOSTS=["127.0.0.1", "localhost"],
        MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(defaults)
    app.config.update(test_config or {})
    data_dir = Path(app.config["DATA_DIR"])
    app.config.setdefault("CUSTOM_REQUESTS_DIR", data_dir / "requests")
    secrets_dir = data_dir / "secrets"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create(secrets_dir, f"console-{role}.secret-key")
    if not app.config.get("CONSOLE_TOKEN"):
        app.config["CONSOLE_TOKEN"] = load_or_create(secrets_dir, f"console-{role}.token", 18)
    app.config["ROLE"] = role
    app.extensions["tessera"] = {
        "agent": agent,
        "schemas": load_all(app.config["SCHEMA_DIR"]),
        "jobs": JobBoard(),
    }
    CSRFProtect(app)
    auth.init_app(app)
    errors.init_app(app)
    words.init_app(app)
    from . import common

    app.register_blueprint(common.bp)
    if role == "issuer":
        from . import issuer, redrive

        app.register_blueprint(issuer.bp)
        app.register_blueprint(redrive.issuer_bp)
    else:
        from . import firm_terms, redrive, verifier

        ring = KeyRing(data_dir / "secrets", "verifier")
        app.extensions["tessera"]["trust"] = Trust.from_config(app.config)
        app.extensions["tessera"]["receipt_keys"] = ring
        if app.config.get("COUNTERSIGN", True):
            app.extensions["tessera"]["countersigner"] = Countersigner(agent, ring).start()
        app.register_blueprint(verifier.bp)
        app.register_blueprint(firm_terms.bp)
        app.register_blueprint(redrive.verifier_bp)
    return app
