"""The person's rules at work while the wallet is unlocked: one `AutoResponder`, logged.

The holder agent, its webhook hub and the history exist only while the wallet is
unlocked, and each unlock makes new ones: `start()` runs a responder on them (and
catches up on requests already waiting), `stop()` ends it at lock. Answers it sends
are logged in the history with the rule that decided; `after_sent(record, entry)`
then runs for each presentation sent (the terms responder issues its receipt). The
entry of a presentation is held before it is sent and written after (`sending.py`),
so a wallet killed in between still logs it once.
"""

import logging
import threading

from ..consent import policy as rules_of
from ..consent import request_checks
from ..consent.policy import Policy
from ..errors import InputError, WalletError
from ..flows import present
from . import disclosure, probes, records, sending
from .autorespond import AutoResponder
from .rules import RulesFile

LOG = logging.getLogger(__name__)


class Autoanswer:
    """Keeps one `AutoResponder` running on the unlocked wallet's agent and hub."""

    def __init__(self, data_dir, schemas, today):
        """`today()` returns today's date (for the history's plain-language predicates)."""
        self.schemas = schemas
        self.today = today
        self.rules = RulesFile(data_dir)
        self.probes = probes.ProbeBook(data_dir)
        self.responder = None
        self._history = None
        self._after_sent = None
        self._sent_entries = {}  # pres_ex_id -> the history entry of an answer being sent
        self._assessed = {}  # pres_ex_id -> what `_describe` found, for `_send` to answer from
        self._lookup = None
        self._lock = threading.Lock()
        self._probe_lock = threading.Lock()  # weighing and marking told: one request at a time

    def start(self, agent, history, waiting, gate=None, after_sent=None, lookup=None):
        """Answer `agent`'s requests by the rules, log in `history`; catch up on waiting ones.

        `waiting` (a `holder.waiting.Waiting`) says which requests wait;
        `gate(record, decision)` may hold an approval for the person (the terms rule);
        `lookup` finds a request's candidates (the wallet's credential index, so an
        answer reads only the newest credentials of each item), as `present.assess`
        takes it; None: ACA-Py lists every candidate.
        """
        self.stop()
        responder = AutoResponder(
            agent,
            self._policy,
            on_outcome=self._log,
            prepare=lambda record, decision: self._describe(agent, record),
            gate=gate,
            guard=lambda record, request, decision: self._guard(agent, record, request, decision),
            send=lambda record, view, decision: self._send(agent, record, view, decision),
            lookup=lookup,
        )
        with self._lock:
            self._history, self._after_sent, self._lookup = history, after_sent, lookup
            self.responder = responder.start()
        try:
            responder.catch_up(waiting)
        except WalletError as exc:
            LOG.warning("Could not read the requests already waiting: %s", exc)

    def stop(self):
        """Stop the responder (at lock); it finishes what it holds."""
        with self._lock:
            old, self.responder = self.responder, None
        if old is not None:
            old.stop()

    def retry(self, pres_ex_id):
        """Decide again on a waiting request (its terms were agreed since); False if stopped."""
        responder = self.responder
        return responder is not None and responder.retry(pres_ex_id)

    def _policy(self):
        try:
            return self.rules.load()
        except InputError as exc:
            LOG.warning("Your rules cannot be read, so every request is left to you: %s", exc)
            return Policy()

    def _guard(self, agent, record, request, decision):
        """Record the predicates asked; ask the person when answering would tell too much."""
        who = records.connection_labels(agent).get(record.connection_id, "")
        with self._probe_lock:
            earlier = self.probes.ask(record.pres_ex_id, record.connection_id, who, request)
            checked = request_checks.check(request, self.schemas)
            found = []
            if decision.action == "approve" and earlier and not checked.conditions:
                widths = rules_of.widths(self._policy(), decision)
                options = probes.held_options(agent, record, request)
                found = probes.narrowings(earlier, request, options, self.schemas, widths)
            label = lambda name: probes.label_of(name, self.schemas).lower()  # noqa: E731
            decision = rules_of.guard(decision, checked, found, label)
            if decision.action == "approve" and earlier:
                self.probes.told(record.pres_ex_id)  # before sending: a failure tells too
        return decision

    def _describe(self, agent, record):
        request = present.anoncreds_request(record)
        found = present.assess(agent, record, lookup=self._lookup)
        self._assessed[record.pres_ex_id] = found
        who = records.connection_labels(agent).get(record.connection_id, "(unknown firm)")
        return disclosure.describe(
            record, request, found.usable, self.schemas, who, self.today(), cut=found.cut
        )

    def _send(self, agent, record, view, decision):
        """Send the answer a rule approved, its history entry held across the send."""
        assessed = self._assessed.pop(record.pres_ex_id, None)
        if assessed is None:
            assessed = present.assess(agent, record, lookup=self._lookup)
        history = self._history
        if history is None or view is None:
            return present.present(agent, record, assessed=assessed)
        found, body = present.answer(agent, record, assessed=assessed)
        picks = present.picks(body)
        summary = disclosure.summary(view, picks)
        entry = history.entry(
            "sent", view.who, request_name=view.name, rule=decision.rule, **summary
        )
        presented = sending.send_logged(
            history,
            agent,
            record.pres_ex_id,
            entry,
            lambda: present.present(agent, record, picks, assessed=found),
        )
        self._sent_entries[record.pres_ex_id] = entry
        return presented

    def _log(self, outcome):
        history, view = self._history, outcome.prepared
        entry = self._sent_entries.pop(outcome.pres_ex_id, None)  # written by `_send`
        self._assessed.pop(outcome.pres_ex_id, None)  # described, then declined or failed
        if outcome.error:
            LOG.warning("Rule %s could not answer: %s", outcome.decision.rule, outcome.error)
            return
        if history is None or view is None:
            return
        rule = outcome.decision.rule
        if outcome.decision.action == "approve" and outcome.sent is not None:
            if entry is not None:
                self._receipt(outcome, entry)
        elif outcome.decision.action == "decline":
            history.append(
                "declined",
                view.who,
                request_name=view.name,
                reason=outcome.decision.reason,
                rule=rule,
            )

    def _receipt(self, outcome, entry):
        if self._after_sent is None:
            return
        try:
            self._after_sent(outcome.record, entry)
        except WalletError as exc:
            LOG.warning("Sent %s, but its receipt could not be issued: %s", outcome.pres_ex_id, exc)
