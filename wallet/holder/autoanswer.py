"""Run the person's rules while the wallet is unlocked: the AutoResponder, wired to the app.

The holder agent, its webhook hub and the history exist only while the wallet is
unlocked, and each unlock makes new ones. `Autoanswer.sync()` runs after every
request of the app (unlock and lock are requests) and makes the responder follow:
started on the new hub at unlock, catching up on requests already waiting, stopped
at lock. Answers it sends are logged in the history with the rule that decided.
"""

import dataclasses
import logging
import threading

from ..consent.policy import Policy
from ..errors import InputError, WalletError
from ..flows import present
from . import disclosure, records
from .autorespond import AutoResponder
from .rules import RulesFile

LOG = logging.getLogger(__name__)
EXTENSION = "autoanswer"


class Autoanswer:
    """Keeps one `AutoResponder` running on the unlocked wallet's agent and hub."""

    def __init__(self, service, schemas, today):
        """`today()` returns today's date (for the history's plain-language predicates)."""
        self.service = service
        self.schemas = schemas
        self.today = today
        self.rules = RulesFile(service.data_dir)
        self.responder = None
        self.hooks = {}  # gate / after_present, set by the terms listener when there is one
        self._hub = None
        self._lock = threading.Lock()

    def sync(self):
        """Start the responder on a newly unlocked wallet, stop it on a locked one."""
        with self._lock:
            hub, agent = self.service.hub, self.service.agent
            if agent is not None and hub is not None and hub is self._hub:
                return
            old, self.responder, self._hub = self.responder, None, None
            if agent is not None and hub is not None:
                self.responder = AutoResponder(
                    agent,
                    self._policy,
                    on_outcome=self._log,
                    prepare=lambda record, decision: self._describe(agent, record),
                    **self.hooks,
                ).start()
                self._hub = hub
                try:
                    self.responder.catch_up()
                except WalletError as exc:
                    LOG.warning("Could not read the requests already waiting: %s", exc)
        if old is not None:
            old.stop()

    def _policy(self):
        try:
            return self.rules.load()
        except InputError as exc:
            LOG.warning("Your rules cannot be read, so every request is left to you: %s", exc)
            return Policy()

    def stop(self):
        """Stop the responder (for the app's teardown and tests)."""
        with self._lock:
            old, self.responder, self._hub = self.responder, None, None
        if old is not None:
            old.stop()

    def _describe(self, agent, record):
        request = present.anoncreds_request(record)
        options = present.options(agent, record)
        who = records.connection_labels(agent).get(record.get("connection_id"), "(unknown firm)")
        view = disclosure.describe(record, request, options, self.schemas, who, self.today())
        proposal = ((record.get("by_format") or {}).get("pres_proposal") or {}).get("anoncreds")
        if proposal and proposal.get("name"):  # ACA-Py names a bound request "proof-request"
            view = dataclasses.replace(view, name=proposal["name"])
        return view

    def _log(self, outcome):
        history, view = self.service.history, outcome.prepared
        if outcome.error:
            LOG.warning("Rule %s could not answer: %s", outcome.decision.rule, outcome.error)
            return
        if history is None or view is None:
            return
        rule = outcome.decision.rule
        if outcome.decision.action == "approve" and outcome.sent is not None:
            picks = {
                ref: choice["cred_id"]
                for part in ("requested_attributes", "requested_predicates")
                for ref, choice in outcome.sent[part].items()
            }
            summary = disclosure.summary(view, picks)
            history.append("sent", view.who, request_name=view.name, rule=rule, **summary)
        elif outcome.decision.action == "decline":
            history.append(
                "declined",
                view.who,
                request_name=view.name,
                reason=outcome.decision.reason,
                rule=rule,
            )


def init_app(state):
    """Attach an `Autoanswer` to the app being built (a blueprint's `record_once` hook)."""
    app = state.app
    service = app.extensions["holder_service"]
    if not app.config.get("AUTOANSWER", True) or EXTENSION in app.extensions:
        return
    clock = app.config["WALL_CLOCK"]
    answer = Autoanswer(service, app.extensions["schemas"], lambda: clock().date())
    app.extensions[EXTENSION] = answer

    @app.after_request
    def _sync(response):
        answer.sync()
        return response
