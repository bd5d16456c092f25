"""Web consoles of the firms: the issuer's and the verifier's, one Flask app per role.

Build one with `create_app(role, agent_or_deployment, test_config)`; see `app.py`.
"""

from .app import ROLES, close_app, create_app

__all__ = ["ROLES", "close_app", "create_app"]
